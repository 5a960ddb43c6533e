import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase } from "@token-broker/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { applyMigrations, MigrationError } from "../src/migrations/apply.ts";
import { diffMigrationsToSchema } from "../src/migrations/diff.ts";
import { MIGRATIONS_DIR, readMigrationFolder } from "../src/migrations/migration-folder.ts";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("migrations on an empty PostgreSQL database", () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase({ migrated: false }));
  });
  afterAll(() => drop());

  it("creates every table and records each migration with the SHA-256 of its file", async () => {
    const database = await openDatabase({ kind: "postgres", url });
    try {
      const applied = await applyMigrations(database);
      const committed = (await readMigrationFolder()).migrationDirectories.map((d) => d.path);
      expect(applied).toEqual(committed);
    } finally {
      await database.close();
    }

    const tables = await query<{ tablename: string }>(
      url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual([
      "_prisma_migrations",
      "application_settings",
      "feature_gates",
      "features",
      "group_members",
      "groups",
      "instance_tokens",
      "personal_access_tokens",
      "signing_keys",
      "users",
    ]);

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      url,
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name",
    );
    for (const row of rows) {
      const file = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
      expect(row.finished_at).not.toBeNull();
    }
  });

  it("changes nothing when applied again", async () => {
    const before = await query(url, "SELECT * FROM _prisma_migrations ORDER BY id");
    const database = await openDatabase({ kind: "postgres", url });
    try {
      expect(await applyMigrations(database)).toEqual([]);
    } finally {
      await database.close();
    }
    expect(await query(url, "SELECT * FROM _prisma_migrations ORDER BY id")).toEqual(before);
  });
});

describe("a failing migration", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), "broker-migrations-"));
    await cp(MIGRATIONS_DIR, folder, { recursive: true });
    const bad = path.join(folder, "99990101000000_broken");
    await mkdir(bad);
    // A statement that succeeds, then one that fails: neither may remain.
    await writeFile(
      path.join(bad, "migration.sql"),
      'CREATE TABLE "should_not_exist" ("id" INTEGER);\nSELEC broken;\n',
    );
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("stops with a clear error, leaves nothing behind and is not recorded as applied", async () => {
    const { url, drop } = await createTestDatabase({ migrated: false });
    try {
      const database = await openDatabase({ kind: "postgres", url });
      try {
        const failure = applyMigrations(database, folder);
        await expect(failure).rejects.toThrow(MigrationError);
        await expect(failure).rejects.toThrow(/syntax error at or near "SELEC"/);
      } finally {
        await database.close();
      }
      const leftovers = await query(
        url,
        "SELECT 1 FROM pg_tables WHERE tablename = 'should_not_exist'",
      );
      expect(leftovers).toEqual([]);
      const rows = await query<{ migration_name: string; finished_at: Date | null }>(
        url,
        "SELECT migration_name, finished_at FROM _prisma_migrations WHERE migration_name LIKE '%broken'",
      );
      expect(rows).toEqual([{ migration_name: "99990101000000_broken", finished_at: null }]);
    } finally {
      await drop();
    }
  });
});

// Replaying every migration in the WebAssembly schema engine takes 15–40 s on a busy 2-core
// machine, and grows with each migration.
describe("schema.prisma and the committed migrations", { timeout: 120_000 }, () => {
  it("agree (run `pnpm db:migration:create <name>` after changing the schema)", async () => {
    expect(await diffMigrationsToSchema()).toBe("");
  });

  it("disagree once the schema changes without a migration", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "broker-schema-"));
    try {
      const schema = await readFile(path.join(MIGRATIONS_DIR, "..", "schema.prisma"), "utf8");
      const changed = schema.replace("model Feature {", "model Feature {\n  description String?");
      await writeFile(path.join(folder, "schema.prisma"), changed);
      expect(
        await diffMigrationsToSchema(MIGRATIONS_DIR, path.join(folder, "schema.prisma")),
      ).toMatch(/ALTER TABLE "features" ADD COLUMN\s+"description" TEXT/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
