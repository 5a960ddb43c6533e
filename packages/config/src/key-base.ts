import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigurationError } from "./environment.ts";
import type { InstanceConfig } from "./instance-config.ts";

const KEY_BASE_FILE = "db_key_base";

/**
 * DB_KEY_BASE derives the keys that digest tokens and encrypt secrets at rest. PostgreSQL
 * deployments must set it (every replica needs the same value); the embedded database, a
 * single-process development store, generates one next to its data on first start.
 */
export async function resolveKeyBase(
  config: Pick<InstanceConfig, "dbKeyBase" | "database" | "dataDir">,
): Promise<string> {
  // Its length was checked with the rest of the configuration.
  if (config.dbKeyBase !== undefined) return config.dbKeyBase;
  if (config.database.kind !== "embedded") {
    throw new ConfigurationError("DB_KEY_BASE", "is required when DATABASE_URL is set");
  }
  const file = path.join(config.dataDir, KEY_BASE_FILE);
  const existing = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing !== undefined) return existing.trim();
  await mkdir(config.dataDir, { recursive: true });
  const generated = randomBytes(48).toString("base64url");
  await writeFile(file, generated, { mode: 0o600, flag: "wx" });
  return generated;
}
