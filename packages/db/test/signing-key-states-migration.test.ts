import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, queryDatabase } from "@token-broker/testing";
import { expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { applyMigrations } from "../src/migrations/apply.ts";
import { MIGRATIONS_DIR, readMigrationFolder } from "../src/migrations/migration-folder.ts";

const STATES_MIGRATION = "signing_key_states";

it("turns the signing key into the active key and the others into published keys", async () => {
  const { url, drop } = await createTestDatabase({ migrated: false });
  const before = await mkdtemp(path.join(tmpdir(), "broker-migrations-"));
  const database = await openDatabase({ kind: "postgres", url });
  try {
    // The database as it was before key states: every migration up to that one.
    const { migrationDirectories } = await readMigrationFolder();
    const index = migrationDirectories.findIndex((d) => d.path.endsWith(STATES_MIGRATION));
    expect(index).toBeGreaterThan(0);
    await cp(
      path.join(MIGRATIONS_DIR, "migration_lock.toml"),
      path.join(before, "migration_lock.toml"),
    );
    for (const directory of migrationDirectories.slice(0, index)) {
      await cp(path.join(MIGRATIONS_DIR, directory.path), path.join(before, directory.path), {
        recursive: true,
      });
    }
    await applyMigrations(database, before);
    await queryDatabase(
      url,
      `INSERT INTO application_settings (id) VALUES (1);
       INSERT INTO signing_keys (kid, encrypted_private_key, signing, created_at) VALUES
         ('old', 'x', false, '2026-01-01T00:00:00Z'), ('current', 'y', true, '2026-02-01T00:00:00Z')`,
    );

    await applyMigrations(database);
    const rows = await queryDatabase(
      url,
      `SELECT kid, state::text, published_at, activated_at, deactivated_at, retired_at
         FROM signing_keys ORDER BY kid`,
    );
    expect(rows).toEqual([
      {
        kid: "current",
        state: "active",
        published_at: new Date("2026-02-01T00:00:00Z"),
        activated_at: new Date("2026-02-01T00:00:00Z"),
        deactivated_at: null,
        retired_at: null,
      },
      {
        kid: "old",
        state: "published",
        published_at: new Date("2026-01-01T00:00:00Z"),
        activated_at: null,
        deactivated_at: null,
        retired_at: null,
      },
    ]);
  } finally {
    await database.close();
    await rm(before, { recursive: true, force: true });
    await drop();
  }
});
