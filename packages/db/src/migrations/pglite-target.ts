import type { PGlite } from "@electric-sql/pglite";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { noShadowDatabase } from "./postgres-target.ts";
import type { MigrationTarget } from "./schema-engine.ts";

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
