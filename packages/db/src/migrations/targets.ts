import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { MigrationTarget } from "./schema-engine.ts";

function noShadowDatabase(): never {
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

/**
 * Embedded PostgreSQL. A shadow database, when given, is where the engine replays
 * migrations to compare them with a schema. Scripts run on the database the engine asked for.
 */
export function pgliteMigrationTarget(
  main: PGlite,
  options: { shadow?: PGlite; release?: () => Promise<void> } = {},
): MigrationTarget {
  const databases = new Map<SqlDriverAdapter, PGlite>();
  // pglite-prisma-adapter depends on another release of driver-adapter-utils; the shapes agree.
  const connectTo = async (database: PGlite) => {
    const factory = new PrismaPGlite(database) as unknown as SqlMigrationAwareDriverAdapterFactory;
    const adapter = await factory.connect();
    databases.set(adapter, database);
    return adapter;
  };
  const { shadow } = options;
  return {
    factory: {
      provider: "postgres",
      adapterName: "@prisma/adapter-pglite",
      connect: () => connectTo(main),
      connectToShadowDb: shadow ? () => connectTo(shadow) : noShadowDatabase,
    },
    runScript: (adapter, script) => (databases.get(adapter) ?? main).exec(script),
    release: options.release ?? (async () => {}),
  };
}
