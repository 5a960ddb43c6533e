import { PGlite } from "@electric-sql/pglite";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { readMigrationFolder, readSchemaFiles } from "./migration-folder.ts";
import { type MigrationTarget, withSchemaEngine } from "./schema-engine.ts";

/**
 * The SQL that takes a database built from the committed migrations to `schema.prisma`;
 * empty when they agree. The engine replays the migrations on a shadow database: an
 * in-memory embedded PostgreSQL, so no server is needed.
 */
export async function diffMigrationsToSchema(
  migrationsDir?: string,
  schemaPath?: string,
): Promise<string> {
  const migrations = await readMigrationFolder(migrationsDir);
  const files = (await readSchemaFiles(schemaPath)).map(([path, content]) => ({ path, content }));
  const scratch = new PGlite();
  const target: MigrationTarget = {
    factory: new PrismaPGlite(scratch) as unknown as SqlMigrationAwareDriverAdapterFactory,
    runScript: (_adapter, script) => scratch.exec(script),
    release: () => scratch.close(),
  };
  const result = await withSchemaEngine(target, (engine) =>
    engine.diff({
      from:
        migrations.migrationDirectories.length === 0
          ? { tag: "empty" }
          : { tag: "migrations", ...migrations },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  return (result.stdout ?? "").trim();
}
