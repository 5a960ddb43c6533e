import { randomBytes } from "node:crypto";
import { createTestDatabase } from "@token-broker/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/client.ts";
import { classifyDatabaseError } from "../src/database-errors.ts";

let created: Awaited<ReturnType<typeof createTestDatabase>>;
let admin: pg.Client;
let database: Database;
let applicationName: string;
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  created = await createTestDatabase();
  admin = new pg.Client({ connectionString: created.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await created?.drop();
});
beforeEach(async () => {
  uncaught.length = 0;
  process.on("uncaughtException", recordUncaught);
  // Only this database's connections carry the name: the admin's are never terminated.
  applicationName = `retry-${randomBytes(4).toString("hex")}`;
  const url = new URL(created.url);
  url.searchParams.set("application_name", applicationName);
  database = await openDatabase({ kind: "postgres", url: url.href }, { maxConnections: 1 });
});
afterEach(async () => {
  await database.close();
  process.off("uncaughtException", recordUncaught);
});

/**
 * Terminates, from the admin connection, each new connection of the database under test
 * that runs `marker`, until `count` have been terminated or `settled` says to stop.
 */
async function terminateRunning(marker: string, count: number, settled: () => boolean) {
  const terminated = new Set<number>();
  while (terminated.size < count && !settled()) {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE application_name = $1 AND state = 'active' AND query LIKE $2`,
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
      () => database.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one, pg_sleep(1)::text AS once`,
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
});
