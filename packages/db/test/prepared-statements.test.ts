import { createTestDatabase } from "@token-broker/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { statementNames } from "../src/statement-names.ts";

describe("prepared statements", () => {
  let created: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    created = await createTestDatabase();
  });
  afterAll(() => created.drop());

  /** The statements prepared on the only connection of a one-connection pool. */
  async function preparedAfterTwoLookups(directUrl?: string) {
    const database = await openDatabase(
      { kind: "postgres", url: created.url, ...(directUrl ? { directUrl } : {}) },
      { maxConnections: 1 },
    );
    try {
      for (let i = 0; i < 2; i += 1) {
        await database.prisma.$queryRaw`SELECT id FROM users WHERE username = ${"nobody"}`;
      }
      const rows = await database.prisma.$queryRaw<{ statement: string }[]>`
        SELECT statement FROM pg_prepared_statements`;
      return rows.map(({ statement }) => statement);
    } finally {
      await database.close();
    }
  }

  it("are prepared once per connection straight to PostgreSQL: parsed and planned once", async () => {
    expect(await preparedAfterTwoLookups()).toContainEqual(
      expect.stringContaining("SELECT id FROM users WHERE username = $1"),
    );
  });

  it("are never named through a pooler (DATABASE_DIRECT_URL set): any session may run them", async () => {
    expect(await preparedAfterTwoLookups(created.url)).toEqual([]);
  });

  it("recover when a migration changes a column's type under them: a statement runs again, a transaction's connection is replaced", async () => {
    const admin = new pg.Client({ connectionString: created.url });
    await admin.connect();
    const database = await openDatabase(
      { kind: "postgres", url: created.url },
      { maxConnections: 1 },
    );
    try {
      await admin.query("CREATE TABLE stale_check (id int PRIMARY KEY, v varchar(10))");
      await admin.query("INSERT INTO stale_check VALUES (1, 'one')");
      const inTransaction = () =>
        database.prisma.$transaction(
          (tx) => tx.$queryRaw<{ v: string }[]>`SELECT v FROM stale_check WHERE id = ${1}`,
        );
      const single = () =>
        database.prisma.$queryRaw<{ v: string }[]>`SELECT id, v FROM stale_check`;
      await inTransaction();
      await single();

      await admin.query("ALTER TABLE stale_check ALTER COLUMN v TYPE text");
      // The transaction that meets the stale statement fails (only its caller may run it
      // again); its connection is closed, so the next one prepares anew.
      await inTransaction().catch(() => undefined);
      expect(await inTransaction()).toEqual([{ v: "one" }]);
      await admin.query("ALTER TABLE stale_check ALTER COLUMN v TYPE varchar(20)");
      expect(await single()).toEqual([{ id: 1, v: "one" }]);
    } finally {
      await database.close();
      await admin.end();
    }
  });

  it("get one name per SQL text, and none past the bound", () => {
    const name = statementNames(2);
    const first = name({ sql: "SELECT 1" });
    expect(name({ sql: "SELECT 1" })).toBe(first);
    const second = name({ sql: "SELECT 2" });
    expect(second).not.toBe(first);
    expect(name({ sql: "SELECT 3" })).toBeUndefined();
    expect(name({ sql: "SELECT 2" })).toBe(second);
  });
});
