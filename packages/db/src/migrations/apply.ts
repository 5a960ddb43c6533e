import type { Database } from "../client.ts";
import { MIGRATIONS_DIR, readMigrationFolder } from "./migration-folder.ts";
import { SchemaEngineError, withSchemaEngine } from "./schema-engine.ts";

export class MigrationError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/**
 * Applies the pending migrations, recording them in `_prisma_migrations` as
 * `prisma migrate deploy` does (checksum: SHA-256 of migration.sql). Returns the names
 * applied; none when the database is up to date. A failing migration is rolled back, stays
 * recorded as failed (finished_at null) and stops every later run until it is resolved.
 */
export async function applyMigrations(
  database: Database,
  directory = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrationsList = await readMigrationFolder(directory);
  try {
    const output = await withSchemaEngine(database.migrationTarget(), (engine) =>
      engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
    );
    return output.appliedMigrationNames;
  } catch (error) {
    throw new MigrationError(describeFailure(error), { cause: error });
  }
}

/** The failing migration's name and the database's message, without the engine's trace. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const migration = /migration_name="([^"]+)"/.exec(message)?.[1];
  const cause =
    error instanceof SchemaEngineError && error.scriptError instanceof Error
      ? error.scriptError.message
      : (message.split("\n").find((line) => line.trim() !== "") ?? message);
  return migration
    ? `migration ${migration} failed and was rolled back: ${cause}`
    : `applying migrations failed: ${cause}`;
}
