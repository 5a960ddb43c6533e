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
import { statementNames } from "./statement-names.ts";

export type DatabaseLocation =
  | {
      readonly kind: "postgres";
      /** Where queries go: PostgreSQL, or a pooler in front of it (transaction mode). */
      readonly url: string;
      /**
       * PostgreSQL itself, for what needs a session of its own: migrations (their advisory
       * lock) and LISTEN. Unset: `url` is PostgreSQL itself and serves both.
       */
      readonly directUrl?: string;
    }
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

/** Connections per process for queries when the caller does not say (DATABASE_POOL_SIZE). */
export const DEFAULT_POOL_SIZE = 10;

export interface OpenDatabaseOptions {
  /** Upper bound on the PostgreSQL pool (per process). */
  readonly maxConnections?: number;
}

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database under DATA_DIR. */
export function databaseLocation(
  urls: { readonly url: string | undefined; readonly directUrl?: string | undefined },
  dataDir: string,
): DatabaseLocation {
  if (!urls.url) return { kind: "embedded", dataDir };
  return urls.directUrl
    ? { kind: "postgres", url: urls.url, directUrl: urls.directUrl }
    : { kind: "postgres", url: urls.url };
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
  const direct = location.directUrl ?? location.url;
  // Through a pooler in transaction mode (DATABASE_DIRECT_URL set) each query may run on
  // another server session, so nothing relies on one: statements are unnamed (PgBouncer
  // before 1.21 has no named ones), and a transaction, with its transaction-scoped advisory
  // locks (signing-key generation), keeps its session to the end. Straight to PostgreSQL,
  // each connection prepares the statements it runs once (see statement-names.ts).
  const pool = new RetryingPool({
    connectionString: location.url,
    max: options.maxConnections ?? DEFAULT_POOL_SIZE,
    // Fail a request instead of waiting forever when the server is unreachable.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const viaPooler = location.directUrl !== undefined;
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool, viaPooler ? {} : { statementNameGenerator: statementNames() }),
  });
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
    migrationTarget: () => postgresMigrationTarget(direct),
    listenToChanges: (handlers) => listenOnPostgres(direct, handlers),
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
