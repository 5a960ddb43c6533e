import { randomBytes } from "node:crypto";
import { openDatabase } from "@token-broker/db";
import { applyMigrations } from "@token-broker/db/migrations";
import type { TestProject } from "vitest/node";
import { adminUrl, databaseUrl, quoteIdentifier, withAdminClient } from "./postgres-admin.ts";

declare module "vitest" {
  export interface ProvidedContext {
    postgres: { adminUrl: string; templateName: string; prefix: string };
  }
}

/**
 * Once per test run: a migrated template database on the real PostgreSQL server. Tests clone
 * it (CREATE DATABASE … TEMPLATE) to get a database of their own; every database of the run
 * shares a prefix and is dropped at the end.
 */
export default async function setup(project: TestProject) {
  const admin = adminUrl();
  const prefix = `broker_test_${randomBytes(4).toString("hex")}`;
  const templateName = `${prefix}_template`;
  try {
    await withAdminClient(admin, (client) =>
      client.query(`CREATE DATABASE ${quoteIdentifier(templateName)}`),
    );
  } catch (error) {
    throw new Error(
      `The tests need PostgreSQL at ${new URL(admin).host} (set TEST_DATABASE_URL to use another server): ${String(error)}`,
    );
  }
  const database = await openDatabase({ kind: "postgres", url: databaseUrl(admin, templateName) });
  try {
    await applyMigrations(database);
  } finally {
    await database.close();
  }
  project.provide("postgres", { adminUrl: admin, templateName, prefix });

  return async () => {
    await withAdminClient(admin, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1",
        [`${prefix}%`],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
      }
    });
  };
}
