import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readInstanceConfig } from "../src/instance-config.ts";
import { resolveKeyBase } from "../src/key-base.ts";

const root = "/srv/broker";

describe("DB_KEY_BASE", () => {
  it("is required with PostgreSQL", async () => {
    const config = readInstanceConfig("saas", { DATABASE_URL: "postgres://db/saas" }, root);
    await expect(resolveKeyBase(config)).rejects.toThrow(
      "Invalid configuration: DB_KEY_BASE is required when DATABASE_URL is set",
    );
  });

  it("is generated once for the embedded database, private to its owner", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "broker-keybase-"));
    try {
      const config = readInstanceConfig("saas", { DATA_DIR: dataDir }, root);
      const first = await resolveKeyBase(config);
      const second = await resolveKeyBase(config);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(second).toBe(first);
      expect((await readFile(path.join(dataDir, "db_key_base"), "utf8")).trim()).toBe(first);
      expect((await stat(path.join(dataDir, "db_key_base"))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
