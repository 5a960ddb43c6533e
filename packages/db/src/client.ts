import { PrismaPg } from "@prisma/adapter-pg";
import {
  listenOnPostgres,
  type NotificationHandlers,
  type Subscription,
} from "./change-notifications.ts";
import { lockDataDirectory } from "./data-dir-lock.ts";
import { PrismaClient } from "./generated/client.ts";
import { postgresMigrationTarget } from "./migrations/postgres-target.ts";
import type { MigrationTarget } from "./migrations/schema-engine.ts";
import { RetryingPool } from "./retrying-pool.ts";

export type DatabaseLocation =
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "embedded"; readonly dataDir: string };

export interface Database {
  readonly prisma: PrismaClient;
  readonly location: DatabaseLocation;
  /** Resolves when the database answers a trivial query, rejects otherwise. */
  ping(): Promise<void>;
  /** Closes the client and the connections (or the embedded database) it holds. */
  close(): Promise<void>;
  /** Where the schema engine applies migrations: a connection of its own on PostgreSQL. */
  migrationTarget(): MigrationTarget;
  /**
   * Listens to the change notifications of the database's triggers (PostgreSQL). The
   * embedded database, one development process, has no subscription: nothing is cached.
   */
  listenToChanges?(handlers: NotificationHandlers): Promise<Subscription>;
}

export interface OpenDatabaseOptions {
  /** Upper bound on the PostgreSQL pool (per process). */
  readonly maxConnections?: number;
}

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database under DATA_DIR. */
export function databaseLocation(
  databaseUrl: string | undefined,
  dataDir: string,
): DatabaseLocation {
  return databaseUrl ? { kind: "postgres", url: databaseUrl } : { kind: "embedded", dataDir };
}

export async function openDatabase(
  location: DatabaseLocation,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  return location.kind === "postgres" ? openPostgres(location, options) : openEmbedded(location);
}

function openPostgres(
  location: DatabaseLocation & { kind: "postgres" },
  options: OpenDatabaseOptions,
): Database {
  const pool = new RetryingPool({
    connectionString: location.url,
    max: options.maxConnections ?? 10,
    // Fail a request instead of waiting forever when the server is unreachable.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    location,
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
    migrationTarget: () => postgresMigrationTarget(location.url),
    listenToChanges: (handlers) => listenOnPostgres(location.url, handlers),
  };
}

async function openEmbedded(location: DatabaseLocation & { kind: "embedded" }): Promise<Database> {
  const unlock = await lockDataDirectory(location.dataDir);
  try {
    // Loaded only for the embedded database: PostgreSQL deployments never pay for it.
    const [{ PGlite }, { PrismaPGlite }, { pgliteMigrationTarget }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("pglite-prisma-adapter"),
      import("./migrations/pglite-target.ts"),
    ]);
    const pglite = await PGlite.create(location.dataDir);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      prisma,
      location,
      async ping() {
        await pglite.query("SELECT 1");
      },
      async close() {
        await prisma.$disconnect();
        await pglite.close();
        await unlock();
      },
      migrationTarget: () => pgliteMigrationTarget(pglite),
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
