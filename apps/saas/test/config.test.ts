import { expect, it } from "vitest";
import { readSaasConfig } from "../src/config.ts";

const base = {
  DB_KEY_BASE: "config-test-key-base-0123456789abcdef",
  DATABASE_URL: "postgres://h/db",
};

it.each([
  [undefined, 86_400],
  ["24h", 86_400],
  ["90m", 5_400],
  ["30s", 30],
  ["1d", 86_400],
  ["3600", 3_600],
  ["0", 0],
])("reads SIGNING_KEY_PUBLISH_LEAD=%s as %i seconds", (value, seconds) => {
  const env = value === undefined ? base : { ...base, SIGNING_KEY_PUBLISH_LEAD: value };
  expect(readSaasConfig(env).signingKeyPublishLeadSeconds).toBe(seconds);
});

it.each(["one day", "-1h", "24 hours", "1.5h"])(
  "refuses SIGNING_KEY_PUBLISH_LEAD=%s, naming the variable",
  (value) => {
    expect(() => readSaasConfig({ ...base, SIGNING_KEY_PUBLISH_LEAD: value })).toThrow(
      `Invalid configuration: SIGNING_KEY_PUBLISH_LEAD must be a duration such as 24h, 90m, 30s or 1d, or a number of seconds (got "${value}")`,
    );
  },
);

it.each([
  [undefined, 3_600],
  ["1h", 3_600],
  ["90m", 5_400],
  ["600", 600],
  ["10s", 10],
  ["24h", 86_400],
])("reads INSTANCE_TOKEN_TTL=%s as %i seconds", (value, seconds) => {
  const env = value === undefined ? base : { ...base, INSTANCE_TOKEN_TTL: value };
  expect(readSaasConfig(env).instanceTokenTtlSeconds).toBe(seconds);
});

it.each(["0", "9s", "25h", "2d", "1.5h", "an hour", "-1h"])(
  "refuses INSTANCE_TOKEN_TTL=%s, naming the variable",
  (value) => {
    expect(() => readSaasConfig({ ...base, INSTANCE_TOKEN_TTL: value })).toThrow(
      `Invalid configuration: INSTANCE_TOKEN_TTL must be a duration from 10s to 24h, such as 1h, 90m or 600 (seconds) (got "${value}")`,
    );
  },
);
