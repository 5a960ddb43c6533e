import { createTestDatabase, type TestDatabase } from "@token-broker/testing";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { NOTIFIED_TABLES, parseChange } from "../src/notified-tables.ts";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function triggerFunction(url: string): Promise<string> {
  const [row] = await query<{ source: string }>(
    url,
    "SELECT prosrc AS source FROM pg_proc WHERE proname = 'broker_notify_change'",
  );
  return row?.source ?? "";
}

// pg_trigger.tgtype: FOR EACH ROW, and the INSERT, DELETE and UPDATE events.
const ROW = 1;
const INSERT_DELETE_UPDATE = 4 | 8 | 16;

/**
 * What the migrated database notifies, read from it: the tables whose rows fire the trigger
 * function on every change, and the column each one's notification carries (its `CASE`
 * line; none: null).
 */
async function notifiedInDatabase(url: string): Promise<Record<string, string | null>> {
  const triggers = await query<{ table: string; events: number }>(
    url,
    `SELECT c.relname AS table, t.tgtype AS events
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgfoid = 'broker_notify_change'::regproc AND NOT t.tgisinternal`,
  );
  const keys = new Map(
    [...(await triggerFunction(url)).matchAll(/WHEN '(\w+)' THEN changed ->> '(\w+)'/g)].map(
      ([, table, column]) => [table, column] as const,
    ),
  );
  return Object.fromEntries(
    triggers.map(({ table, events }) => [
      table,
      (events & ROW) !== 0 && (events & INSERT_DELETE_UPDATE) === INSERT_DELETE_UPDATE
        ? (keys.get(table) ?? null)
        : "not on every change",
    ]),
  );
}

describe("the notified tables", () => {
  let database: TestDatabase | undefined;
  afterEach(() => database?.drop());

  it("are what the database's trigger notifies, each with its declared key", async () => {
    database = await createTestDatabase();
    expect(await notifiedInDatabase(database.url)).toEqual(NOTIFIED_TABLES);
  });

  it("disagree when a migration stops notifying a table, or changes its key", async () => {
    database = await createTestDatabase();
    await query(database.url, 'DROP TRIGGER "signing_keys_notify_change" ON "signing_keys"');
    const source = await triggerFunction(database.url);
    await query(
      database.url,
      `CREATE OR REPLACE FUNCTION "broker_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $body$${source.replace(
        "WHEN 'group_members' THEN changed ->> 'user_id'",
        "WHEN 'group_members' THEN changed ->> 'group_id'",
      )}$body$`,
    );
    const { signing_keys: _notNotified, ...others } = NOTIFIED_TABLES;
    expect(await notifiedInDatabase(database.url)).toEqual({
      ...others,
      group_members: "group_id",
    });
  });
});

describe("a notification", () => {
  it.each([
    ["users:12", { table: "users", key: "12" }],
    ["features:", { table: "features", key: "" }],
    ["group_members:7", { table: "group_members", key: "7" }],
    ["unknown_table:1", undefined],
    ["no separator", undefined],
    ["constructor:1", undefined],
  ])("%s is read as %o", (payload, change) => {
    expect(parseChange(payload)).toEqual(change);
  });
});
