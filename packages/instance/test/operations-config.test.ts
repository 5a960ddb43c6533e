import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/config/environment.ts";
import { readOperationsConfig } from "../src/config/operations-config.ts";
import { ipAllowlist } from "../src/metrics/ip-allowlist.ts";

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

describe("metrics allowlist", () => {
  const allowed = ipAllowlist(["127.0.0.0/8", "::1/128", "10.1.2.3"]);

  it.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["::ffff:127.0.0.1", true],
    ["::1", true],
    ["10.1.2.3", true],
    ["10.1.2.4", false],
    ["192.168.0.1", false],
    ["::2", false],
    ["not an address", false],
  ])("%s → %s", (ip, expected) => {
    expect(allowed(ip)).toBe(expected);
  });
});
