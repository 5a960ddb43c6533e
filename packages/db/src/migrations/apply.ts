import type { Database } from "../client.ts";
import { MIGRATIONS_DIR, readMigrationFolder } from "./migration-folder.ts";
import { withSchemaEngine } from "./schema-engine.ts";

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
    throw new MigrationError(`applying migrations failed: ${firstLine(error)}`, { cause: error });
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // The engine appends a Rust span trace; the database's message is what helps.
  return message
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^\s*\d+: /.test(line) && !line.includes(" at "))
    .slice(0, 3)
    .join(" — ");
}
