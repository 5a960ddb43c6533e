import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "@token-broker/db";
import { applyMigrations, MIGRATIONS_DIR, readMigrationFolder } from "@token-broker/db/migrations";
import { createTestDatabase, queryDatabase } from "@token-broker/testing";
import { expect, it } from "vitest";

const MIGRATION = "case_insensitive_names";

/** A database migrated up to, not including, the migration named `name`. */
async function migratedBefore(url: string, name: string) {
  const before = await mkdtemp(path.join(tmpdir(), "broker-migrations-"));
  const { migrationDirectories } = await readMigrationFolder();
  const index = migrationDirectories.findIndex((d) => d.path.endsWith(name));
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
  const database = await openDatabase({ kind: "postgres", url });
  try {
    await applyMigrations(database, before);
  } finally {
    await database.close();
    await rm(before, { recursive: true, force: true });
  }
}

it("keeps every row that differs only in case, renaming the later ones, then refuses new ones", async () => {
  const { url, drop } = await createTestDatabase({ migrated: false });
  try {
    await migratedBefore(url, MIGRATION);
    await queryDatabase(
      url,
      `INSERT INTO users (id, username, email, name) VALUES
         (1, 'root', 'dev@example.com', 'Root'),
         (2, 'ROOT', 'DEV@example.com', 'Shouting root'),
         (3, 'ROOT-2', 'other@example.com', 'Holds the first suffix'),
         (4, 'alice', 'Dev@Example.com', 'Alice');
       INSERT INTO groups (id, name, path, full_path, parent_id, root_id) VALUES
         (10, 'Acme', 'acme', 'acme', NULL, NULL),
         (11, 'ACME', 'ACME', 'ACME', NULL, NULL),
         (12, 'Team', 'team', 'acme/team', 10, 10),
         (13, 'Team', 'team', 'ACME/team', 11, 11),
         (14, 'TEAM', 'TEAM', 'acme/TEAM', 10, 10),
         (15, 'Deep', 'deep', 'ACME/team/deep', 13, 11);
       INSERT INTO group_members (group_id, user_id, access_level) VALUES (11, 2, 50);`,
    );

    const database = await openDatabase({ kind: "postgres", url });
    try {
      await applyMigrations(database);
    } finally {
      await database.close();
    }

    expect(await queryDatabase(url, "SELECT id, username, email FROM users ORDER BY id")).toEqual([
      { id: 1, username: "root", email: "dev@example.com" },
      // ROOT-2 was taken (by user 3), so the suffix was applied again.
      { id: 2, username: "ROOT-2-2", email: "DEV+2@example.com" },
      { id: 3, username: "ROOT-2", email: "other@example.com" },
      { id: 4, username: "alice", email: "Dev+4@Example.com" },
    ]);
    expect(await queryDatabase(url, "SELECT id, path, full_path FROM groups ORDER BY id")).toEqual([
      { id: 10, path: "acme", full_path: "acme" },
      { id: 11, path: "ACME-11", full_path: "ACME-11" },
      { id: 12, path: "team", full_path: "acme/team" },
      // Its parent's rename made it distinct: its own path is unchanged.
      { id: 13, path: "team", full_path: "ACME-11/team" },
      { id: 14, path: "TEAM-14", full_path: "acme/TEAM-14" },
      { id: 15, path: "deep", full_path: "ACME-11/team/deep" },
    ]);
    // Memberships (and so the owner of the renamed group) are untouched.
    expect(await queryDatabase(url, "SELECT group_id, user_id FROM group_members")).toEqual([
      { group_id: 11, user_id: 2 },
    ]);

    for (const [insert, index] of [
      [
        "INSERT INTO users (id, username, email, name) VALUES (100, 'Alice', 'new@example.com', 'A')",
        "users_username_lower_key",
      ],
      [
        "INSERT INTO users (id, username, email, name) VALUES (101, 'new', 'DEV@EXAMPLE.COM', 'A')",
        "users_email_lower_key",
      ],
      [
        "INSERT INTO groups (id, name, path, full_path) VALUES (100, 'A', 'Acme', 'Acme')",
        "groups_full_path_lower_key",
      ],
    ] as const) {
      await expect(queryDatabase(url, insert)).rejects.toThrow(index);
    }
    await queryDatabase(
      url,
      "INSERT INTO users (id, username, email, name) VALUES (102, 'bob', 'bob@example.com', 'B')",
    );
  } finally {
    await drop();
  }
});
