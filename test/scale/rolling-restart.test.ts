import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  adminUrl,
  createTestDatabase,
  fixedToken,
  freePort,
  type ModelServer,
  queryDatabase,
  startModelServer,
  TEST_KEY_BASE,
  type TestDatabase,
} from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { REVOKED, requestToken } from "../support/token-request.ts";
import { setUpFlow } from "./support/flow-setup.ts";
import { CHECK_INTERVAL_MS, type Haproxy, startHaproxy } from "./support/haproxy.ts";
import { type PgBouncer, startPgBouncer } from "./support/pgbouncer.ts";
import { Replica } from "./support/replica.ts";
import { type LoadOutcome, startTokenLoad } from "./support/token-load.ts";

const SAAS_ROOT = fixedToken("ScaleSaasRoot");
const SELF_MANAGED_ROOT = fixedToken("ScaleSelfManagedRoot");
// Readiness fails this long before a replica stops accepting: more than the two failed
// checks after which HAProxy takes it out.
const DRAIN_DELAY_MS = 5 * CHECK_INTERVAL_MS;
const POOL_SIZE = 5;
const LOAD = { connections: 8, maxSeconds: 240 };
const COMPLETION = "return a + b  # through two replicas of each";
/** What the language server sends for a completion. */
const LANGUAGE_SERVER_COMPLETION = {
  prompt_version: 1,
  project_path: "",
  project_id: -1,
  current_file: {
    file_name: "add.py",
    content_above_cursor: "def add(a, b):\n    ",
    content_below_cursor: "",
  },
};

/**
 * Two replicas of each service, each its own process run from the production entry point,
 * behind HAProxy (one frontend per service, health checks on /-/readiness); every replica
 * queries PostgreSQL through PgBouncer in transaction mode and listens for changes on a
 * direct connection (DATABASE_DIRECT_URL). Editors' token requests go through self-managed's
 * frontend; self-managed reaches SaaS through SaaS's, and the AI gateway (whose replicas ask
 * the model stand-in) through the gateway's.
 */
describe("two replicas of each service behind HAProxy, PostgreSQL behind PgBouncer", () => {
  let databases: TestDatabase[] = [];
  let pgbouncer: PgBouncer;
  let haproxy: Haproxy;
  let saas: [Replica, Replica];
  let selfManaged: [Replica, Replica];
  let gateways: [Replica, Replica];
  let model: ModelServer;
  let gatewayDataDir: string;
  let flow: Awaited<ReturnType<typeof setUpFlow>>;

  const backendOf = (replica: Replica) => replica.service;
  const waitUntil = (replica: Replica, status: "UP" | "DOWN") =>
    vi.waitFor(
      async () =>
        expect((await haproxy.stats(backendOf(replica), replica.name)).status).toBe(status),
      { timeout: 30_000, interval: 50 },
    );
  const waitForTokens = (load: { issued(): number }, count: number) => {
    const target = load.issued() + count;
    return vi.waitFor(() => expect(load.issued()).toBeGreaterThanOrEqual(target), {
      timeout: 30_000,
      interval: 20,
    });
  };

  beforeAll(async () => {
    const [saasDatabase, selfManagedDatabase] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
    ]);
    databases = [saasDatabase, selfManagedDatabase];
    pgbouncer = await startPgBouncer(adminUrl());
    const saasPorts = await Promise.all([freePort(), freePort()]);
    const selfManagedPorts = await Promise.all([freePort(), freePort()]);
    const gatewayPorts = await Promise.all([freePort(), freePort()]);
    model = await startModelServer({ completion: COMPLETION });
    gatewayDataDir = await mkdtemp(path.join(tmpdir(), "broker-scale-gateway-"));
    const servers = (service: string, ports: [number, number]) =>
      [
        { name: `${service}-1`, port: ports[0] },
        { name: `${service}-2`, port: ports[1] },
      ] as const;
    haproxy = await startHaproxy(
      {
        saas: servers("saas", saasPorts),
        "self-managed": servers("self-managed", selfManagedPorts),
        "ai-gateway": servers("ai-gateway", gatewayPorts),
      },
      { "ai-gateway": "/monitoring/ready" },
    );
    const env = (database: TestDatabase, root: string) => ({
      HOST: "127.0.0.1",
      DATABASE_URL: pgbouncer.pooled(database.url),
      DATABASE_DIRECT_URL: database.url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      DB_KEY_BASE: TEST_KEY_BASE,
      INITIAL_ROOT_TOKEN: root,
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      TOKENS_RATE_LIMIT_PER_USER: "0",
      TOKENS_RATE_LIMIT_PER_INSTANCE: "0",
    });
    const saasReplica = (name: string, port: number) =>
      new Replica({
        name,
        service: "saas",
        port,
        env: { ...env(saasDatabase, SAAS_ROOT), EXTERNAL_URL: haproxy.url("saas") },
      });
    const selfManagedReplica = (name: string, port: number) =>
      new Replica({
        name,
        service: "self-managed",
        port,
        env: {
          ...env(selfManagedDatabase, SELF_MANAGED_ROOT),
          EXTERNAL_URL: haproxy.url("self-managed"),
          SAAS_URL: haproxy.url("saas"),
          AI_GATEWAY_URL: haproxy.url("ai-gateway"),
        },
      });
    // The replicas of a gateway deployment share their signing key; both trust SaaS's issuer.
    const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const gatewayReplica = (name: string, port: number) =>
      new Replica({
        name,
        service: "ai-gateway",
        port,
        env: {
          HOST: "127.0.0.1",
          DATA_DIR: gatewayDataDir,
          AI_GATEWAY_SIGNING_KEY: signingKey,
          AI_GATEWAY_TRUSTED_ISSUERS: haproxy.url("saas"),
          MODEL_ENDPOINT: model.url,
          MODEL_NAME: "stand-in-coder",
          SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
        },
      });
    saas = [saasReplica("saas-1", saasPorts[0]), saasReplica("saas-2", saasPorts[1])];
    selfManaged = [
      selfManagedReplica("self-managed-1", selfManagedPorts[0]),
      selfManagedReplica("self-managed-2", selfManagedPorts[1]),
    ];
    gateways = [
      gatewayReplica("ai-gateway-1", gatewayPorts[0]),
      gatewayReplica("ai-gateway-2", gatewayPorts[1]),
    ];
    const replicas = [...saas, ...selfManaged, ...gateways];
    // One after the other: starting four at once on a small machine is slower, not faster.
    for (const replica of replicas) await replica.start();
    await Promise.all(replicas.map((replica) => waitUntil(replica, "UP")));
    flow = await setUpFlow({
      saasUrl: haproxy.url("saas"),
      saasRoot: SAAS_ROOT,
      selfManagedUrl: haproxy.url("self-managed"),
      selfManagedRoot: SELF_MANAGED_ROOT,
    });
  }, 120_000);

  afterAll(async () => {
    for (const replica of [...(saas ?? []), ...(selfManaged ?? []), ...(gateways ?? [])]) {
      await replica.kill().catch(() => undefined);
    }
    await haproxy?.stop();
    await model?.close();
    if (gatewayDataDir) await rm(gatewayDataDir, { recursive: true, force: true });
    await pgbouncer?.stop();
    await Promise.all(databases.map((database) => database.drop()));
  });

  function report(phase: string, outcome: LoadOutcome) {
    const rate = Math.round(outcome.issued / outcome.seconds);
    process.stdout.write(
      `${phase}: ${outcome.issued} tokens issued in ${outcome.seconds.toFixed(1)} s (${rate}/s), ` +
        `${outcome.failed} failed${outcome.failed ? ` ${JSON.stringify([...outcome.failures])}` : ""}\n`,
    );
  }

  it("a token revoked through one self-managed replica is refused by the other on its next request", async () => {
    const [first, second] = selfManaged;
    const { token, tokenId } = await flow.editor();
    // The second replica has answered (and cached) the token.
    for (let i = 0; i < 2; i += 1) expect((await requestToken(second.url, token)).status).toBe(201);
    const admin = apiClient(first.url, SELF_MANAGED_ROOT);
    expect((await admin("DELETE", `/personal_access_tokens/${tokenId}`)).status).toBe(204);
    expect((await requestToken(second.url, token)).body).toEqual(REVOKED);

    // Queries went through PgBouncer; each replica listens on a direct connection.
    const pools = await pgbouncer.pools();
    for (const database of databases) {
      expect(pools.get(database.name)?.transactions).toBeGreaterThan(0);
      const [row] = await queryDatabase<{ listeners: number }>(
        database.url,
        "SELECT count(*)::int AS listeners FROM pg_stat_activity " +
          "WHERE application_name = 'broker change feed' AND datname = current_database()",
      );
      expect(row?.listeners).toBe(2);
    }
  });

  it("completions through self-managed's frontend reach the model through the gateway's, from every replica", async () => {
    const { token } = await flow.editor();
    const before = model.received.length;
    const sessionsBefore = new Map<string, number>();
    for (const replica of [...selfManaged, ...gateways]) {
      const { sessions } = await haproxy.stats(backendOf(replica), replica.name);
      sessionsBefore.set(replica.name, sessions);
    }
    // Round robin: four completions pass each self-managed and each gateway replica twice.
    for (let i = 0; i < 4; i += 1) {
      const response = await fetch(
        `${haproxy.url("self-managed")}/api/v4/code_suggestions/completions`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(LANGUAGE_SERVER_COMPLETION),
        },
      );
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: unknown[] }).choices).toEqual([
        expect.objectContaining({ text: COMPLETION }),
      ]);
    }
    expect(model.received.length).toBe(before + 4);
    for (const replica of [...selfManaged, ...gateways]) {
      const { sessions } = await haproxy.stats(backendOf(replica), replica.name);
      expect(sessions - (sessionsBefore.get(replica.name) ?? 0)).toBeGreaterThanOrEqual(1);
    }
  });

  it("a rolling restart of every replica under constant load fails no request", async () => {
    const { token } = await flow.editor();
    const load = startTokenLoad({ url: haproxy.url("self-managed"), token, ...LOAD });
    try {
      await waitForTokens(load, 200);
      for (const replica of [...saas, ...selfManaged]) {
        const started = Date.now();
        expect(await replica.stop()).toEqual({ code: 0, signal: null });
        const stopped = Date.now();
        await replica.start();
        await waitUntil(replica, "UP");
        process.stdout.write(
          `${replica.name}: stopped in ${stopped - started} ms, up again in ${Date.now() - stopped} ms\n`,
        );
        await waitForTokens(load, 100);
      }
    } finally {
      const outcome = await load.stop();
      report("rolling restart of 4 replicas", outcome);
      for (const [database, stats] of await pgbouncer.pools()) {
        if (databases.some(({ name }) => name === database)) {
          process.stdout.write(`PgBouncer, database ${database}: ${JSON.stringify(stats)}\n`);
        }
      }
      expect(outcome.failures).toEqual(new Map());
      expect(outcome.issued).toBeGreaterThan(600);
    }
    // Four restarts: a few seconds each on an idle machine, much more on a busy one.
  }, 240_000);

  it("reports the requests lost when a replica is killed (SIGKILL) under load", async () => {
    const { token } = await flow.editor();
    const load = startTokenLoad({ url: haproxy.url("self-managed"), token, ...LOAD });
    const [victim] = selfManaged;
    try {
      await waitForTokens(load, 200);
      expect(await victim.kill()).toEqual({ code: null, signal: "SIGKILL" });
      await waitUntil(victim, "DOWN");
      await waitForTokens(load, 200);
    } finally {
      const outcome = await load.stop();
      report("SIGKILL of one self-managed replica", outcome);
      const { retries, redispatches } = await haproxy.stats("self-managed", victim.name);
      process.stdout.write(`HAProxy retried ${retries}, redispatched ${redispatches}\n`);
    }
  }, 60_000);
});
