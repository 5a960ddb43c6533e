import { spawnSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** The variables docker-compose.yml refuses to start without (`${NAME:?…}`). */
const requiredByCompose = [
  ...readFileSync(path.join(root, "docker-compose.yml"), "utf8").matchAll(/\$\{([A-Z0-9_]+):\?/g),
].map((match) => match[1] as string);

/**
 * A fresh machine: only the script and its template, no node_modules, and an environment of
 * PATH alone.
 */
let checkout: string;
beforeEach(() => {
  checkout = mkdtempSync(path.join(tmpdir(), "generate-env-"));
  mkdirSync(path.join(checkout, "scripts"));
  copyFileSync(
    path.join(root, "scripts/generate-env.mjs"),
    path.join(checkout, "scripts/generate-env.mjs"),
  );
  copyFileSync(path.join(root, ".env.example"), path.join(checkout, ".env.example"));
});
afterEach(() => rmSync(checkout, { recursive: true, force: true }));

function generate(...args: string[]) {
  const run = spawnSync(
    process.execPath,
    [path.join(checkout, "scripts/generate-env.mjs"), ...args],
    {
      cwd: checkout,
      env: { PATH: process.env.PATH },
      encoding: "utf8",
    },
  );
  return { status: run.status, output: run.stdout + run.stderr };
}

const envFile = () => path.join(checkout, ".env");
const mode = (file: string) => statSync(file).mode & 0o777;
const read = () => parseEnv(readFileSync(envFile(), "utf8")) as Record<string, string>;

describe("node scripts/generate-env.mjs", () => {
  it("writes .env, mode 0600, with a value for every secret docker-compose.yml requires", () => {
    expect(requiredByCompose).toEqual(
      expect.arrayContaining(["SAAS_DB_KEY_BASE", "AI_GATEWAY_SIGNING_KEY"]),
    );
    const { status, output } = generate();
    expect(status, output).toBe(0);
    expect(mode(envFile())).toBe(0o600);
    const env = read();
    for (const name of requiredByCompose) expect(env[name], name).toMatch(/\S/);
    for (const service of ["SAAS", "SELF_MANAGED"]) {
      expect(env[`${service}_INITIAL_ROOT_TOKEN`]).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
      expect(env[`${service}_DB_KEY_BASE`]?.length).toBeGreaterThanOrEqual(32);
      // Goes into DATABASE_URL unescaped.
      expect(env[`${service}_POSTGRES_PASSWORD`]).toMatch(/^[A-Za-z0-9]{16,}$/);
    }
    const key = createPrivateKey(env.AI_GATEWAY_SIGNING_KEY ?? "");
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
    // The settings of the template come along unchanged; no secret value reaches the output.
    expect(env.AI_GATEWAY_PORT).toBe("5052");
    expect(env.MODEL_ENDPOINT).toBe("");
    for (const name of requiredByCompose) expect(output).not.toContain(env[name]);
  });

  it("makes new secrets on every machine", () => {
    generate();
    const first = read();
    generate("--output", path.join(checkout, "second.env"));
    const second = parseEnv(readFileSync(path.join(checkout, "second.env"), "utf8"));
    for (const name of requiredByCompose) expect(second[name], name).not.toBe(first[name]);
  });

  it("keeps an existing .env unless told --force, and then still writes mode 0600", () => {
    writeFileSync(envFile(), "SAAS_DB_KEY_BASE=the-one-the-database-was-encrypted-with\n");
    chmodSync(envFile(), 0o644);
    const refused = generate();
    expect(refused.status).toBe(1);
    expect(refused.output).toMatch(/\.env exists.*--force/s);
    expect(read().SAAS_DB_KEY_BASE).toBe("the-one-the-database-was-encrypted-with");
    expect(mode(envFile())).toBe(0o644);

    const forced = generate("--force");
    expect(forced.status, forced.output).toBe(0);
    expect(read().SAAS_DB_KEY_BASE).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(envFile())).toBe(0o600);
  });
});
