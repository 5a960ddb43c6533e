/**
 * Every table whose committed changes the database announces to the services' caches, and
 * the column its notification carries as key (null: no key, "something in the table
 * changed"). The trigger function `broker_notify_change` (a migration) sends
 * `table:<that column>` for each: `packages/db/test/notified-tables.test.ts` reads it from
 * the database and fails when the two disagree.
 *
 * A new notified table is one line here, and a migration that attaches the trigger to it:
 * `CREATE TRIGGER "<table>_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "<table>"
 * FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();` and, when its notifications carry a
 * key, `CREATE OR REPLACE FUNCTION "broker_notify_change"()` as the last migration defined it
 * with one more line in its CASE: `WHEN '<table>' THEN changed ->> '<column>'`.
 */
export const NOTIFIED_TABLES = {
  /** The user's id: its tokens and its policy subject. */
  users: "id",
  /** The token's id. */
  personal_access_tokens: "id",
  /** The group's id; its settings decide for every member of it and of its subgroups. */
  groups: "id",
  /** The member's user id: that user's policy subject. */
  group_members: "user_id",
  features: null,
  feature_gates: null,
  application_settings: null,
  /** SaaS: the key ring (created, activated, retired). */
  signing_keys: null,
  /** Self-managed: the instance token every replica sends to the AI gateway (one row). */
  instance_tokens: null,
} as const satisfies Readonly<Record<string, string | null>>;

export type NotifiedTable = keyof typeof NOTIFIED_TABLES;

export interface Change {
  readonly table: NotifiedTable;
  /** The value of the table's key column, as text; "" for a table without a key. */
  readonly key: string;
}

function isNotifiedTable(name: string): name is NotifiedTable {
  return Object.hasOwn(NOTIFIED_TABLES, name);
}

/** A notification's payload (`table:key`), or undefined for a table no one declared. */
export function parseChange(payload: string): Change | undefined {
  const separator = payload.indexOf(":");
  if (separator === -1) return undefined;
  const table = payload.slice(0, separator);
  return isNotifiedTable(table) ? { table, key: payload.slice(separator + 1) } : undefined;
}
