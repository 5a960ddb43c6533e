import { ensureApplicationSettings } from "@token-broker/admin";
import { ensureInitialRootToken, ensureRootUser, type TokenDigester } from "@token-broker/auth";
import { type Database, openDatabase, type PrismaClient } from "@token-broker/db";
import { applyMigrations, migrateInChildProcess } from "@token-broker/db/migrations";
import type { InstanceConfig } from "./instance-config.ts";
import { resolveKeyBase } from "./key-base.ts";

export interface Storage {
  readonly database: Database;
  readonly keyBase: string;
  /** The migrations this opening applied (none when the schema was current). */
  readonly appliedMigrations: readonly string[];
}

export interface OpenStorageOptions {
  readonly maxConnections: number;
  /**
   * Apply PostgreSQL's migrations from a short-lived copy of this process (the server: the
   * schema engine's memory does not stay with it). The embedded database admits one process:
   * it is always migrated in this one.
   */
  readonly migrateApart?: boolean;
}

/**
 * What a service's configuration names, opened: the key base (generated once for the
 * embedded database), the database, and its pending migrations applied. The server and the
 * console open their storage this way.
 */
export async function openStorage(
  config: InstanceConfig,
  { maxConnections, migrateApart = false }: OpenStorageOptions,
): Promise<Storage> {
  const keyBase = await resolveKeyBase(config);
  const database = await openDatabase(config.database, { maxConnections });
  try {
    const appliedMigrations =
      migrateApart && config.database.kind === "postgres"
        ? await migrateInChildProcess()
        : await applyMigrations(database);
    return { database, keyBase, appliedMigrations };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * The rows every instance has: its application settings and root, and with
 * INITIAL_ROOT_TOKEN (the server's declarative bootstrap) root's token.
 */
export async function ensureInstanceRows(
  prisma: PrismaClient,
  bootstrap?: {
    readonly digestToken: TokenDigester;
    readonly initialRootToken: string | undefined;
  },
): Promise<void> {
  await ensureApplicationSettings(prisma);
  await ensureRootUser(prisma);
  if (bootstrap?.initialRootToken !== undefined) {
    await ensureInitialRootToken(prisma, bootstrap.digestToken, bootstrap.initialRootToken);
  }
}
