import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { DataDirectoryInUseError } from "../src/data-dir-lock.ts";
import { applyMigrations } from "../src/migrations/apply.ts";

describe("the embedded database", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "broker-pglite-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("is migrated, keeps its data across a reopen, and closes cleanly", async () => {
    const first = await openDatabase({ kind: "embedded", dataDir });
    try {
      expect((await applyMigrations(first)).length).toBeGreaterThan(0);
      await first.prisma.user.create({
        data: { username: "kept", email: "kept@example.com", name: "Kept" },
      });
    } finally {
      await first.close();
    }

    const again = await openDatabase({ kind: "embedded", dataDir });
    try {
      expect(await applyMigrations(again)).toEqual([]);
      expect(await again.prisma.user.findUnique({ where: { username: "kept" } })).toMatchObject({
        email: "kept@example.com",
      });
      await expect(again.ping()).resolves.toBeUndefined();
    } finally {
      await again.close();
    }
  });

  it("refuses a second opener while it is open", async () => {
    const database = await openDatabase({ kind: "embedded", dataDir });
    try {
      await expect(openDatabase({ kind: "embedded", dataDir })).rejects.toThrow(
        DataDirectoryInUseError,
      );
    } finally {
      await database.close();
    }
  });
});
