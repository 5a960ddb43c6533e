import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/environment.ts";
import { readOperationsConfig } from "../src/operations-config.ts";

describe("operations configuration", () => {
  it("reads the limits, Redis and the metrics allowlist", () => {
    expect(
      readOperationsConfig({
        TOKENS_RATE_LIMIT_PER_USER: "0",
        TOKENS_RATE_LIMIT_PER_INSTANCE: "120",
        REDIS_URL: "redis://:secret@cache:6379/2",
        REDIS_KEY_PREFIX: "broker-a:",
        METRICS_ALLOWED_IPS: " 10.0.0.0/8 , 192.168.1.7,fd00::/8 ",
      }),
    ).toEqual({
      rateLimits: { perUser: 0, perInstance: 120 },
      redis: { url: "redis://:secret@cache:6379/2", keyPrefix: "broker-a:" },
      metricsAllowedIps: ["10.0.0.0/8", "192.168.1.7", "fd00::/8"],
    });
  });

  it.each([
    { env: { TOKENS_RATE_LIMIT_PER_USER: "-1" }, variable: "TOKENS_RATE_LIMIT_PER_USER" },
    { env: { TOKENS_RATE_LIMIT_PER_INSTANCE: "many" }, variable: "TOKENS_RATE_LIMIT_PER_INSTANCE" },
    { env: { REDIS_URL: "localhost:6379" }, variable: "REDIS_URL" },
    {
      env: { REDIS_URL: "redis://cache", REDIS_KEY_PREFIX: "two words" },
      variable: "REDIS_KEY_PREFIX",
    },
    {
      env: { REDIS_URL: "redis://cache", REDIS_KEY_PREFIX: "p".repeat(65) },
      variable: "REDIS_KEY_PREFIX",
    },
    { env: { METRICS_ALLOWED_IPS: "10.0.0.0/33" }, variable: "METRICS_ALLOWED_IPS" },
    { env: { METRICS_ALLOWED_IPS: "::1/129" }, variable: "METRICS_ALLOWED_IPS" },
    { env: { METRICS_ALLOWED_IPS: "localhost" }, variable: "METRICS_ALLOWED_IPS" },
    { env: { METRICS_ALLOWED_IPS: "10.0.0.1/8/1" }, variable: "METRICS_ALLOWED_IPS" },
  ])("refuses $variable=$env with a message naming it", ({ env, variable }) => {
    const read = () => readOperationsConfig(env);
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it("never repeats a REDIS_URL (it may hold a password)", () => {
    expect(() => readOperationsConfig({ REDIS_URL: "cache://:hunter2@cache" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });
});
