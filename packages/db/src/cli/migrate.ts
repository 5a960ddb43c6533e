/**
 * `pnpm db:migrate`: applies pending migrations to PostgreSQL (DATABASE_DIRECT_URL when set,
 * as the migration lock needs a session of its own, else DATABASE_URL) or, when neither is
 * set, to the embedded database in DATA_DIR (by default both services' data directories).
 */
import path from "node:path";
import { type DatabaseLocation, openDatabase } from "../client.ts";
import { applyMigrations } from "../migrations/apply.ts";
import { PRISMA_DIR } from "../migrations/migration-folder.ts";

function targets(env: NodeJS.ProcessEnv): DatabaseLocation[] {
  const url = env.DATABASE_DIRECT_URL?.trim() || env.DATABASE_URL?.trim();
  if (url) return [{ kind: "postgres", url }];
  const dataDir = env.DATA_DIR?.trim();
  if (dataDir) return [{ kind: "embedded", dataDir: path.resolve(dataDir) }];
  const repositoryRoot = path.dirname(PRISMA_DIR);
  return ["saas", "self-managed"].map((service) => ({
    kind: "embedded" as const,
    dataDir: path.join(repositoryRoot, ".data", service),
  }));
}

function describe(location: DatabaseLocation): string {
  if (location.kind === "embedded") return `embedded database in ${location.dataDir}`;
  const url = new URL(location.url);
  return `PostgreSQL database ${url.pathname.slice(1)} on ${url.host}`;
}

for (const location of targets(process.env)) {
  const database = await openDatabase(location);
  try {
    const applied = await applyMigrations(database);
    const summary = applied.length === 0 ? "already up to date" : `applied ${applied.join(", ")}`;
    process.stdout.write(`${describe(location)}: ${summary}\n`);
  } catch (error) {
    process.stderr.write(
      `${describe(location)}: ${error instanceof Error ? error.message : error}\n`,
    );
    process.exitCode = 1;
  } finally {
    await database.close();
  }
  if (process.exitCode) break;
}
