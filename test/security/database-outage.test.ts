import {
  adminUrl,
  createTestDatabase,
  fixedToken,
  queryDatabase,
  spawnService,
  TEST_KEY_BASE,
} from "@token-broker/testing";
import { expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import { requestToken } from "../support/token-request.ts";
import { startTcpProxy } from "./tcp-proxy.ts";

const UNAVAILABLE = { message: "503 Service Unavailable" };

/**
 * Ends every connection the service holds to its database (pg_terminate_backend), one round
 * at a time, from the server's maintenance database. Its own connection is thus never one
 * it ends, and two rounds never overlap: a statement retried after one round's termination
 * is not ended by another round running at once (the retry hides one termination, as the
 * contract says, not two). A round asked for while one runs is skipped.
 */
function backendTerminator(databaseUrl: string) {
  const name = new URL(databaseUrl).pathname.slice(1);
  let running = false;
  return async (): Promise<number> => {
    if (running) return 0;
    running = true;
    try {
      const rows = await queryDatabase<{ terminated: boolean }>(
        adminUrl(),
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
      );
      return rows.filter((row) => row.terminated).length;
    } finally {
      running = false;
    }
  };
}

it("terminated connections under load: no 500, and the retry hides them", async () => {
  // One user asks 400 times: the per-user rate limit would answer most of them.
  const saas = await startSaas({ env: { TOKENS_RATE_LIMIT_PER_USER: "0" } });
  try {
    const { token } = await saas.fixtures.userWithToken();
    const terminateBackends = backendTerminator(saas.databaseUrl);
    const statuses: number[] = [];
    let terminated = 0;
    const TOTAL = 400;
    const CONCURRENCY = 8;
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        next += 1;
        statuses.push((await requestToken(saas.url, token)).status);
        // Every 25 answers, every connection of the service is terminated under it.
        if (statuses.length % 25 === 0) terminated += await terminateBackends();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(terminated).toBeGreaterThan(TOTAL / 25);
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
  } finally {
    await saas.close();
  }
}, 60_000);

it("an unreachable database: 503 with Retry-After on API and token requests, then back without a restart", async () => {
  const database = await createTestDatabase();
  const target = new URL(database.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(database.url);
  viaProxy.port = String(proxy.port);
  const rootToken = fixedToken("OutageRoot");
  const service = spawnService("saas", {
    PORT: "0",
    DATABASE_URL: viaProxy.href,
    DB_KEY_BASE: TEST_KEY_BASE,
    INITIAL_ROOT_TOKEN: rootToken,
  });
  try {
    const url = await service.listening();
    const headers = { "private-token": rootToken };
    const api = () => fetch(`${url}/api/v4/user`, { headers });
    expect((await api()).status).toBe(200);
    expect((await requestToken(url, rootToken)).status).toBe(201);

    await proxy.cut();
    for (const response of [await api(), await fetch(`${url}/api/v4/users/1`, { headers })]) {
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(await response.json()).toEqual(UNAVAILABLE);
    }
    const token = await requestToken(url, rootToken);
    expect([token.status, token.headers.get("retry-after"), token.body]).toEqual([
      503,
      "1",
      UNAVAILABLE,
    ]);
    expect((await fetch(`${url}/-/readiness`)).status).toBe(503);

    await proxy.restore();
    // The pool reconnects on the next request: the first one after the outage succeeds.
    expect((await api()).status).toBe(200);
    expect((await requestToken(url, rootToken)).status).toBe(201);
    expect(service.output()).not.toMatch(/"statusCode":500|"code":"internal_error"/);
  } finally {
    service.child.kill("SIGTERM");
    await service.exited();
    await proxy.close();
    await database.drop();
  }
}, 60_000);
