import { randomBytes } from "node:crypto";
import { createTestDatabase } from "@token-broker/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/client.ts";
import { classifyDatabaseError } from "../src/database-errors.ts";
import { startHoldingProxy } from "./holding-proxy.ts";

let created: Awaited<ReturnType<typeof createTestDatabase>>;
let admin: pg.Client;
let database: Database;
let applicationName: string;
let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  created = await createTestDatabase();
  admin = new pg.Client({ connectionString: created.url });
  await admin.connect();
  const target = new URL(created.url);
  proxy = await startHoldingProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  await proxy?.close();
  await admin?.end();
  await created?.drop();
});
beforeEach(async () => {
  uncaught.length = 0;
  process.on("uncaughtException", recordUncaught);
  // Only this database's connections carry the name: the admin's are never terminated.
  applicationName = `retry-${randomBytes(4).toString("hex")}`;
  const url = new URL(created.url);
  url.port = String(proxy.port);
  url.searchParams.set("application_name", applicationName);
  database = await openDatabase({ kind: "postgres", url: url.href }, { maxConnections: 1 });
});
afterEach(async () => {
  await database.close();
  process.off("uncaughtException", recordUncaught);
});

/**
 * Terminates, from the admin connection, each new connection of the database under test
 * that sleeps in the statement carrying `marker`, until `count` have been terminated or
 * `settled` says to stop. A statement is active before it runs: terminated then, it would
 * not have done what comes before its sleep (a sequence's nextval, say).
 */
async function terminateRunning(marker: string, count: number, settled: () => boolean) {
  const terminated = new Set<number>();
  while (terminated.size < count && !settled()) {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE application_name = $1 AND state = 'active' AND wait_event = 'PgSleep'
          AND query LIKE $2`,
      [applicationName, `%${marker}%`],
    );
    for (const { pid } of rows) {
      if (terminated.has(pid)) continue;
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      terminated.add(pid);
    }
  }
  return terminated.size;
}

/** Runs `query`, terminating up to `count` of the connections it runs on. */
async function underTermination<T>(query: () => Promise<T>, marker: string, count: number) {
  let settled = false;
  const answer = query().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void answer.finally(() => {
    settled = true;
  });
  const terminated = await terminateRunning(marker, count, () => settled);
  return { outcome: await answer, terminated };
}

describe("a statement whose connection is terminated", () => {
  it("runs once more on a new connection, and answers", async () => {
    const { outcome, terminated } = await underTermination(
      () =>
        database.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one, pg_sleep(1)::text AS once`,
      "AS once",
      1,
    );
    expect(terminated).toBe(1);
    expect(outcome).toEqual({ ok: true, value: [{ one: 1, once: "" }] });
    expect(uncaught).toEqual([]);
  });

  it("fails as unavailable (a 503) when the retry's connection is terminated too, and the process lives on", async () => {
    const { outcome, terminated } = await underTermination(
      () => database.prisma.$queryRaw`SELECT pg_sleep(30)::text AS twice`,
      "AS twice",
      2,
    );
    expect(terminated).toBe(2);
    expect(outcome.ok).toBe(false);
    expect(classifyDatabaseError(outcome.ok ? undefined : outcome.error)).toBe("unavailable");
    // The database serves the next statement; the terminated retry's connection, closed
    // by the server by then, threw nothing at the process.
    expect(await database.prisma.$queryRaw`SELECT 2 AS two`).toEqual([{ two: 2 }]);
    expect(uncaught).toEqual([]);
  });

  it("answers when the retry's connection is terminated just as it answered, and the process lives on", async () => {
    await admin.query("CREATE SEQUENCE attempts");
    // The pool's connection is open: the next one is the retry's, whose answer is held
    // until its termination has come after it.
    expect(await database.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    proxy.holdNext();
    let settled = false;
    const answer = database.prisma.$queryRaw<{ answered: string }[]>`
      SELECT pg_sleep(CASE WHEN nextval('attempts') = 1 THEN 30 ELSE 0 END)::text AS answered`;
    void answer
      .finally(() => {
        settled = true;
      })
      .catch(() => {});
    // The first attempt sleeps until terminated; the retry answers at once, then is
    // terminated too (it is idle by then, its answer held by the proxy).
    expect(await terminateRunning("answered", 1, () => settled)).toBe(1);
    let retryTerminated = false;
    while (!retryTerminated && !settled) {
      const { rows } = await admin.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE application_name = $1 AND state = 'idle' AND query LIKE '%answered%'`,
        [applicationName],
      );
      retryTerminated = rows.some((row) => row.terminated);
    }
    expect(retryTerminated).toBe(true);
    expect(await answer).toEqual([{ answered: "" }]);
    expect(await database.prisma.$queryRaw`SELECT 2 AS two`).toEqual([{ two: 2 }]);
    expect(uncaught).toEqual([]);
  });
});
