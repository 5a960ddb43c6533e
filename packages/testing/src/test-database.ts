import { randomBytes } from "node:crypto";
import { type Database, openDatabase } from "@token-broker/db";
import { inject } from "vitest";
import { databaseUrl, quoteIdentifier, withAdminClient } from "./postgres-admin.ts";

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops the database (closing whatever still uses it). */
  drop(): Promise<void>;
}

/** A new database of this test run. `migrated` clones the migrated template; otherwise empty. */
export async function createTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const { adminUrl, templateName, prefix } = inject("postgres");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const template = options.migrated === false ? "template0" : templateName;
  await withAdminClient(adminUrl, (client) =>
    client.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`),
  );
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () =>
      withAdminClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

/** A migrated database of this run, opened; closing it also drops it. */
export async function openTestDatabase(): Promise<Database & { url: string }> {
  const created = await createTestDatabase();
  const database = await openDatabase({ kind: "postgres", url: created.url });
  return {
    ...database,
    url: created.url,
    async close() {
      await database.close();
      await created.drop();
    },
  };
}
