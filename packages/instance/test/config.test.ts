import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/config/environment.ts";
import { readInstanceConfig } from "../src/config/instance-config.ts";
import { resolveKeyBase } from "../src/config/key-base.ts";

const root = "/srv/broker";

describe("instance configuration", () => {
  it("has the contract's defaults", () => {
    expect(readInstanceConfig("saas", {}, root)).toEqual({
      service: "saas",
      port: 3001,
      host: "127.0.0.1",
      database: { kind: "embedded", dataDir: "/srv/broker/.data/saas" },
      databasePoolSize: 10,
      dataDir: "/srv/broker/.data/saas",
      externalUrl: "http://localhost:3001",
      initialRootToken: undefined,
      dbKeyBase: undefined,
      logLevel: "info",
      operations: {
        rateLimits: { perUser: 60, perInstance: 6000 },
        redis: undefined,
        metricsAllowedIps: ["127.0.0.0/8", "::1/128"],
      },
      shutdownDrainDelayMs: 0,
      editor: expect.any(Object),
    });
    expect(readInstanceConfig("self-managed", {}, root)).toMatchObject({
      port: 3000,
      externalUrl: "http://localhost:3000",
      dataDir: "/srv/broker/.data/self-managed",
    });
  });

  it("reads every variable", () => {
    const config = readInstanceConfig(
      "saas",
      {
        PORT: "8080",
        HOST: "0.0.0.0",
        DATABASE_URL: "postgres://broker@pgbouncer:6432/saas",
        DATABASE_DIRECT_URL: "postgres://broker@db:5432/saas",
        DATABASE_POOL_SIZE: "25",
        SHUTDOWN_DRAIN_DELAY_MS: "1500",
        DATA_DIR: "/var/lib/broker",
        EXTERNAL_URL: "https://saas.example.com/",
        INITIAL_ROOT_TOKEN: "glpat-abcdefghij0123456789",
        DB_KEY_BASE: "x".repeat(40),
        LOG_LEVEL: "debug",
      },
      root,
    );
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      database: {
        kind: "postgres",
        url: "postgres://broker@pgbouncer:6432/saas",
        directUrl: "postgres://broker@db:5432/saas",
      },
      databasePoolSize: 25,
      dataDir: "/var/lib/broker",
      externalUrl: "https://saas.example.com",
      initialRootToken: "glpat-abcdefghij0123456789",
      logLevel: "debug",
      shutdownDrainDelayMs: 1500,
    });
  });

  it("with PostgreSQL, fails readiness for 5 s at SIGTERM before it stops accepting", () => {
    expect(
      readInstanceConfig("saas", { DATABASE_URL: "postgres://broker@db:5432/saas" }, root),
    ).toMatchObject({
      database: { kind: "postgres", url: "postgres://broker@db:5432/saas" },
      shutdownDrainDelayMs: 5000,
    });
  });

  it.each([
    { env: { PORT: "http" }, variable: "PORT" },
    { env: { PORT: "70000" }, variable: "PORT" },
    { env: { EXTERNAL_URL: "localhost:3001" }, variable: "EXTERNAL_URL" },
    { env: { EXTERNAL_URL: "ftp://example.com" }, variable: "EXTERNAL_URL" },
    { env: { DATABASE_URL: "mysql://db/saas" }, variable: "DATABASE_URL" },
    {
      env: { DATABASE_URL: "postgres://db/saas", DATABASE_DIRECT_URL: "db:5432" },
      variable: "DATABASE_DIRECT_URL",
    },
    { env: { DATABASE_DIRECT_URL: "postgres://db/saas" }, variable: "DATABASE_DIRECT_URL" },
    { env: { DATABASE_POOL_SIZE: "0" }, variable: "DATABASE_POOL_SIZE" },
    { env: { DATABASE_POOL_SIZE: "ten" }, variable: "DATABASE_POOL_SIZE" },
    { env: { SHUTDOWN_DRAIN_DELAY_MS: "-1" }, variable: "SHUTDOWN_DRAIN_DELAY_MS" },
    { env: { INITIAL_ROOT_TOKEN: "root-password" }, variable: "INITIAL_ROOT_TOKEN" },
    { env: { LOG_LEVEL: "verbose" }, variable: "LOG_LEVEL" },
  ])("refuses $variable=$env with a message naming it", ({ env, variable }) => {
    const read = () => readInstanceConfig("saas", env, root);
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it.each([
    { DATABASE_URL: "mysql://u:hunter2@db/x" },
    { DATABASE_URL: "postgres://db/x", DATABASE_DIRECT_URL: "mysql://u:hunter2@db/x" },
  ])("never repeats a database URL (it may hold a password)", (env) => {
    expect(() => readInstanceConfig("saas", env, root)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });
});

describe("DB_KEY_BASE", () => {
  it("is required with PostgreSQL and must be long enough", async () => {
    await expect(
      resolveKeyBase({ configured: undefined, embedded: false, dataDir: "/nonexistent" }),
    ).rejects.toThrow("Invalid configuration: DB_KEY_BASE is required when DATABASE_URL is set");
    await expect(
      resolveKeyBase({ configured: "short", embedded: false, dataDir: "/nonexistent" }),
    ).rejects.toThrow(/DB_KEY_BASE must be at least 32 characters/);
  });

  it("is generated once for the embedded database, private to its owner", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "broker-keybase-"));
    try {
      const first = await resolveKeyBase({ configured: undefined, embedded: true, dataDir });
      const second = await resolveKeyBase({ configured: undefined, embedded: true, dataDir });
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(second).toBe(first);
      expect((await readFile(path.join(dataDir, "db_key_base"), "utf8")).trim()).toBe(first);
      expect((await stat(path.join(dataDir, "db_key_base"))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
