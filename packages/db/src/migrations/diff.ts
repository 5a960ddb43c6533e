import { PGlite } from "@electric-sql/pglite";
import { readMigrationFolder, readSchemaFiles } from "./migration-folder.ts";
import { pgliteMigrationTarget } from "./pglite-target.ts";
import { withSchemaEngine } from "./schema-engine.ts";

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
  const [main, shadow] = [new PGlite(), new PGlite()];
  const target = pgliteMigrationTarget(main, {
    shadow,
    release: async () => {
      await Promise.all([main.close(), shadow.close()]);
    },
  });
  const result = await withSchemaEngine(target, (engine) =>
    engine.diff({
      from:
        migrations.migrationDirectories.length === 0
          ? { tag: "empty" }
          : { tag: "migrations", ...migrations },
      to: { tag: "schemaDatamodel", files },
      script: true,
      // The engine then answers exit code 2 when there is something to migrate.
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  return result.exitCode === 2 ? (result.stdout ?? "").trim() : "";
}
