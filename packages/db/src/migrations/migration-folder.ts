import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MigrationList } from "@prisma/schema-engine-wasm/schema_engine_bg";

/**
 * The nearest `prisma/` folder (schema and committed migrations) above this module: the
 * repository's from the sources, the application's from a service bundle (apps/<service>/dist).
 */
function findPrismaDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "prisma", "schema.prisma"))) return path.join(dir, "prisma");
    if (path.dirname(dir) === dir) throw new Error(`no prisma/schema.prisma above ${start}`);
  }
}

export const PRISMA_DIR = findPrismaDir(path.dirname(fileURLToPath(import.meta.url)));
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");
export const SCHEMA_PATH = path.join(PRISMA_DIR, "schema.prisma");

const LOCKFILE = "migration_lock.toml";

/** Reads a Prisma migrations folder the way the Prisma CLI does (sorted by directory name). */
export async function readMigrationFolder(directory = MIGRATIONS_DIR): Promise<MigrationList> {
  const baseDir = path.resolve(directory);
  const lockContent = await readFile(path.join(baseDir, LOCKFILE), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: "migration.sql",
          content: await readFile(path.join(baseDir, entry.name, "migration.sql"), "utf8").then(
            (value) => ({ tag: "ok" as const, value }),
            (error: Error) => ({ tag: "error" as const, value: error.message }),
          ),
        },
      })),
  );
  migrationDirectories.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

export async function readSchemaFiles(schemaPath = SCHEMA_PATH): Promise<[string, string][]> {
  return [[schemaPath, await readFile(schemaPath, "utf8")]];
}
