import { randomBytes } from "node:crypto";
import { openDatabase } from "@token-broker/db";
import { applyMigrations } from "@token-broker/db/migrations";
import pg from "pg";

/**
 * Throw-away databases on the server of `adminUrl`, migrated, named after a random prefix
 * so that benchmarks running at once keep apart.
 */
export function benchDatabases(adminUrl: string) {
  const prefix = `bench_${randomBytes(3).toString("hex")}`;
  const created: string[] = [];
  const urlOf = (name: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.href;
  };
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    prefix,
    async create(suffix: string): Promise<string> {
      const name = `${prefix}_${suffix}`;
      await admin(`CREATE DATABASE "${name}"`);
      created.push(name);
      const database = await openDatabase({ kind: "postgres", url: urlOf(name) });
      try {
        await applyMigrations(database);
      } finally {
        await database.close();
      }
      return urlOf(name);
    },
    async dropAll(): Promise<void> {
      for (const name of created) {
        await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      }
    },
  };
}
