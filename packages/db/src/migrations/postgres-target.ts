import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { MigrationTarget } from "./schema-engine.ts";

export function noShadowDatabase(): never {
  throw new Error("this migration target has no shadow database");
}

/**
 * PostgreSQL through a pool of one connection, ended after use: the engine's advisory lock
 * lives as long as its session and must not stay with the application's pool.
 */
export function postgresMigrationTarget(url: string): MigrationTarget {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on("error", () => {});
  const factory = new PrismaPg(pool);
  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: () => factory.connect(),
      // adapter-pg's shadow database connects to the main database: never use it.
      connectToShadowDb: noShadowDatabase,
    },
    runScript: (_adapter, script) => pool.query(script),
    release: () => pool.end(),
  };
}
