import { BrokerError, errorResponse } from "@token-broker/errors";
import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { runSelfManagedConsole } from "@token-broker/self-managed/console";
import { freePort, queryDatabase, type RunningService, TEST_KEY_BASE } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configuredSelfManaged, saasWithServiceAccount } from "../self-managed-proxy/instances.ts";
import { sample, scrape } from "../support/metrics.ts";
import { startSelfManaged } from "../support/services.ts";
import { INSTANCE_TOKEN_PATH, verifyGatewayToken } from "./gateway-token.ts";

type SelfManaged = RunningService<SelfManagedConfig>;

const instanceTokenRequests = (saas: RunningService<SaasConfig>) =>
  saas.received.filter((request) => request.url === INSTANCE_TOKEN_PATH);

const current = (selfManaged: SelfManaged) => selfManaged.app.instanceToken.current();

/** `pnpm console:self-managed instance-token …` on the instance's database, in this process. */
async function instanceTokenConsole(selfManaged: SelfManaged, command: "status" | "refresh") {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSelfManagedConsole({
    argv: ["instance-token", command],
    env: {
      DATABASE_URL: selfManaged.databaseUrl,
      DB_KEY_BASE: TEST_KEY_BASE,
      SAAS_URL: selfManaged.config.saasUrl,
    },
    io: { out: (line) => out.push(line), err: (line) => err.push(line), readStdin: async () => "" },
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const iso = (unixSeconds: number) =>
  new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The error current() throws when no token can be had, as the HTTP error handler answers it. */
async function refusal(selfManaged: SelfManaged) {
  const error = await current(selfManaged).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(BrokerError);
  const { code, message } = error as BrokerError;
  return { code, message, response: errorResponse(code, message) };
}

describe("the instance token on self-managed", () => {
  let saas: RunningService<SaasConfig>;
  let serviceToken: string;
  let first: SelfManaged;
  let second: SelfManaged;
  beforeAll(async () => {
    ({ saas, serviceToken } = await saasWithServiceAccount());
    first = await configuredSelfManaged(saas.url, serviceToken);
    second = await startSelfManaged(saas.url, { replicaOf: first });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await saas?.close();
  });

  it("is fetched once for every replica, from SaaS with the service token and this instance's id", async () => {
    const [one, two] = await Promise.all([current(first), current(second)]);
    expect(two).toEqual(one);
    expect(await current(second)).toEqual(one);
    expect(await current(first)).toEqual(one);
    expect(instanceTokenRequests(saas)).toHaveLength(1);

    const { instanceUuid } = await first.database.prisma.applicationSetting.findUniqueOrThrow({
      where: { id: 1 },
    });
    const [sent] = instanceTokenRequests(saas);
    expect(sent?.method).toBe("POST");
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${serviceToken}`,
      "x-gitlab-instance-id": instanceUuid,
      "x-gitlab-realm": "self-managed",
    });

    const { payload } = await verifyGatewayToken(one.token, saas.url);
    expect(payload).toMatchObject({
      sub: instanceUuid,
      gitlab_instance_id: instanceUuid,
      gitlab_realm: "self-managed",
    });
    expect(one.expiresAt).toBe(payload.exp);
  });

  it("is stored encrypted: the table never holds it in clear", async () => {
    const { token } = await current(first);
    const rows = await queryDatabase<Record<string, unknown>>(
      first.databaseUrl,
      "SELECT * FROM instance_tokens",
    );
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    for (const part of token.split(".")) expect(stored).not.toContain(part);
    expect(String(rows[0]?.encrypted_token)).not.toMatch(/^eyJ/);
    expect(stored).not.toContain(serviceToken);
  });

  it("is reported by the metrics: its age and this replica's fetches", async () => {
    await current(first);
    const { text } = await scrape(first.url);
    expect(sample(text, "instance_token_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "instance_token_remaining_seconds")).toBeGreaterThan(3000);
    const issued = (service: SelfManaged) =>
      scrape(service.url).then(({ text: body }) =>
        sample(body, "instance_token_refreshes_total", { outcome: "issued" }),
      );
    // One replica fetched it; the other was told it was stored.
    expect([await issued(first), await issued(second)].sort()).toEqual([0, 1]);
    expect(sample(text, "instance_token_refreshes_total", { outcome: "unreachable" })).toBe(0);
    expect(text).not.toContain((await current(first)).token);
  });

  it("the console shows it without the token, and a refresh there is used by every replica at once", async () => {
    const before = await current(first);
    const status = await instanceTokenConsole(first, "status");
    expect(status.code).toBe(0);
    expect(status.out.split("\n")).toEqual([
      "held: yes",
      expect.stringMatching(/^fetched_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      `expires_at: ${iso(before.expiresAt)}`,
      expect.stringMatching(/^refresh_due_at: /),
      "fetched_with_current_ai_access_token: yes",
    ]);
    expect(status.out).not.toContain(before.token.split(".")[2]);

    const refreshed = await instanceTokenConsole(first, "refresh");
    expect(refreshed).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^instance token refreshed; it expires at /),
    });
    await vi.waitFor(
      async () => {
        const [one, two] = await Promise.all([current(first), current(second)]);
        expect(one.token).not.toBe(before.token);
        expect(two).toEqual(one);
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  it("a changed ai_access_token fetches a new one at once, used by every replica", async () => {
    const before = await current(first);
    const other = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: other.user.id,
    });
    try {
      await first.fixtures.settings({ aiAccessToken: other.token });
      await vi.waitFor(
        () =>
          expect(
            instanceTokenRequests(saas).filter(
              (request) => request.headers.authorization === `Bearer ${other.token}`,
            ),
          ).toHaveLength(1),
        { timeout: 10_000, interval: 20 },
      );
      await vi.waitFor(
        async () => {
          const [one, two] = await Promise.all([current(first), current(second)]);
          expect(one.token).not.toBe(before.token);
          expect(two).toEqual(one);
        },
        { timeout: 10_000, interval: 20 },
      );
    } finally {
      await first.fixtures.settings({ aiAccessToken: serviceToken });
    }
  });
});

describe("the instance token while SaaS is away", () => {
  it("is not waited for while SaaS hangs: readers get the held token", async () => {
    let hold: Promise<void> | undefined;
    let release = () => {};
    const { saas, serviceToken } = await saasWithServiceAccount({
      env: { INSTANCE_TOKEN_TTL: "10s" },
      onRequest: async (request) => {
        if (request.url === INSTANCE_TOKEN_PATH && hold !== undefined) await hold;
      },
    });
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken);
    try {
      const held = await current(selfManaged);
      hold = new Promise((resolve) => {
        release = resolve;
      });
      // The refresh at half-life is under way, and SaaS does not answer it.
      await vi.waitFor(() => expect(instanceTokenRequests(saas)).toHaveLength(2), {
        timeout: 10_000,
        interval: 20,
      });
      const answered = await Promise.race([
        current(selfManaged),
        new Promise((resolve) => setTimeout(resolve, 1_000, "waited on SaaS")),
      ]);
      expect(answered).toEqual(held);
    } finally {
      release();
      await selfManaged.close();
      await saas.close();
    }
  });

  it("serves the held token until it expires, then answers 503", async () => {
    const { saas, serviceToken } = await saasWithServiceAccount({
      env: { INSTANCE_TOKEN_TTL: "10s" },
    });
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken);
    try {
      const held = await current(selfManaged);
      await saas.close();
      // Every answer before the expiry is the held token; the first refusal comes after it.
      const beforeExpiry: unknown[] = [];
      let refusedAt: number | undefined;
      await vi.waitFor(
        async () => {
          const askedAt = Date.now();
          const answer = await current(selfManaged).catch(() => "refused");
          if (answer === "refused") refusedAt ??= askedAt;
          else beforeExpiry.push(answer);
          expect(refusedAt).toBeDefined();
        },
        { timeout: 15_000, interval: 100 },
      );
      expect(beforeExpiry.length).toBeGreaterThan(10);
      expect(new Set(beforeExpiry.map((answer) => JSON.stringify(answer)))).toEqual(
        new Set([JSON.stringify(held)]),
      );
      expect(refusedAt).toBeGreaterThanOrEqual(held.expiresAt * 1000);
      const { code, message, response } = await refusal(selfManaged);
      expect(code).toBe("instance_token_unavailable");
      expect(message).toMatch(/refused the connection \(ECONNREFUSED\)|last attempt/);
      expect([response.status, response.body]).toEqual([
        503,
        { message: "503 Service Unavailable" },
      ]);
      const { text } = await scrape(selfManaged.url);
      expect(
        sample(text, "instance_token_refreshes_total", { outcome: "unreachable" }),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await selfManaged.close();
    }
  });

  it("none held and SaaS unreachable: 503, and SaaS is not asked again at once", async () => {
    const selfManaged = await configuredSelfManaged(
      `http://127.0.0.1:${await freePort()}`,
      "glpat-unreachablesaas0000",
    );
    try {
      const { code, message, response } = await refusal(selfManaged);
      expect(code).toBe("instance_token_unavailable");
      expect(message).toMatch(/refused the connection \(ECONNREFUSED\)/);
      expect([response.status, response.body]).toEqual([
        503,
        { message: "503 Service Unavailable" },
      ]);
      expect((await refusal(selfManaged)).message).toMatch(/last attempt to fetch one failed/);
      const status = await instanceTokenConsole(selfManaged, "status");
      expect(status.code).toBe(1);
      expect(status.out.split("\n")).toEqual([
        "held: no (one is fetched from SaaS when a completion first needs it)",
        expect.stringMatching(/^last_refresh_failure: unreachable at /),
      ]);
      const refreshed = await instanceTokenConsole(selfManaged, "refresh");
      expect(refreshed.code).toBe(1);
      expect(refreshed.err).toMatch(/^instance-token refresh: SaaS at .* refused the connection/);
      const rows = await queryDatabase<{ last_failure: string }>(
        selfManaged.databaseUrl,
        "SELECT last_failure FROM instance_tokens",
      );
      expect(rows).toEqual([{ last_failure: "unreachable" }]);
    } finally {
      await selfManaged.close();
    }
  });
});

describe("the instance token's refresh", () => {
  it("happens once less than half its life is left, by one replica, before it expires", async () => {
    const { saas, serviceToken } = await saasWithServiceAccount({
      env: { INSTANCE_TOKEN_TTL: "10s" },
    });
    const first = await configuredSelfManaged(saas.url, serviceToken);
    const second = await startSelfManaged(saas.url, { replicaOf: first });
    try {
      const held = await current(first);
      expect(await current(second)).toEqual(held);
      const row = await first.database.prisma.instanceToken.findUniqueOrThrow({ where: { id: 1 } });
      const halfLife = ((row.issuedAt?.getTime() ?? 0) + held.expiresAt * 1000) / 2;

      await vi.waitFor(() => expect(instanceTokenRequests(saas)).toHaveLength(2), {
        timeout: 10_000,
        interval: 20,
      });
      const refreshedAt = Date.now();
      expect(refreshedAt).toBeGreaterThanOrEqual(halfLife);
      expect(refreshedAt).toBeLessThan(held.expiresAt * 1000);
      await vi.waitFor(
        async () => {
          const [one, two] = await Promise.all([current(first), current(second)]);
          expect(one.token).not.toBe(held.token);
          expect(one.expiresAt).toBeGreaterThan(held.expiresAt);
          expect(two).toEqual(one);
        },
        { timeout: 5_000, interval: 20 },
      );
      // Both replicas' timers were due; one of them fetched.
      expect(instanceTokenRequests(saas)).toHaveLength(2);
    } finally {
      await second.close();
      await first.close();
      await saas.close();
    }
  });
});
