import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/environment.ts";
import { readInstanceConfig } from "../src/instance-config.ts";

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
      logFormat: undefined,
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
        LOG_FORMAT: "pretty",
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
      logFormat: "pretty",
      shutdownDrainDelayMs: 1500,
    });
  });

  it.each(["0.0.0.0", "::", "localhost", "broker-1.internal", "fe80::1"])(
    "binds HOST=%s",
    (host) => {
      expect(readInstanceConfig("saas", { HOST: host }, root).host).toBe(host);
    },
  );

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
    { env: { EXTERNAL_URL: "http://host:8080/gitlab" }, variable: "EXTERNAL_URL" },
    { env: { EXTERNAL_URL: "https://host/gitlab/" }, variable: "EXTERNAL_URL" },
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
    { env: { LOG_FORMAT: "xml" }, variable: "LOG_FORMAT" },
    { env: { HOST: "http://0.0.0.0" }, variable: "HOST" },
    { env: { HOST: "two words" }, variable: "HOST" },
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
  it("must be long enough: refused with the rest of the configuration", () => {
    expect(() => readInstanceConfig("saas", { DB_KEY_BASE: "short" }, root)).toThrow(
      "Invalid configuration: DB_KEY_BASE must be at least 32 characters",
    );
  });
});
