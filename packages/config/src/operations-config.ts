import { isIP } from "node:net";
import { ConfigurationError, type Environment, integer, optional } from "./environment.ts";

/** Token requests per minute; 0 turns a limit off. */
export interface RateLimitConfig {
  /** Per user (on SaaS: requests made directly, not relayed by a self-managed instance). */
  readonly perUser: number;
  /** SaaS only: relayed requests per self-managed instance (service account + instance id). */
  readonly perInstance: number;
}

export interface RedisConfig {
  readonly url: string;
  /** Prepended to every key, so that several deployments (or test runs) can share a server. */
  readonly keyPrefix: string;
}

/** What operators tune beyond the token flow: rate limits, their counters, the metrics. */
export interface OperationsConfig {
  readonly rateLimits: RateLimitConfig;
  /** Where the rate-limit counters live; unset: in each process's memory. */
  readonly redis: RedisConfig | undefined;
  /** IPs and CIDRs that may read `/-/metrics`. */
  readonly metricsAllowedIps: readonly string[];
}

const MAX_PER_MINUTE = 10_000_000;
/** GitLab's monitoring allowlist default: the loopback addresses. */
const DEFAULT_METRICS_ALLOWED_IPS = "127.0.0.0/8,::1/128";

export function readOperationsConfig(env: Environment): OperationsConfig {
  const range = { min: 0, max: MAX_PER_MINUTE };
  return {
    rateLimits: {
      perUser: integer(env, "TOKENS_RATE_LIMIT_PER_USER", 60, range),
      perInstance: integer(env, "TOKENS_RATE_LIMIT_PER_INSTANCE", 6000, range),
    },
    redis: readRedisConfig(env),
    metricsAllowedIps: readMetricsAllowedIps(env),
  };
}

/** METRICS_ALLOWED_IPS: who may read `/-/metrics` (every service reads it the same way). */
export function readMetricsAllowedIps(env: Environment): string[] {
  return ipAllowlist(env, "METRICS_ALLOWED_IPS", DEFAULT_METRICS_ALLOWED_IPS);
}

/** REDIS_URL and REDIS_KEY_PREFIX: the rate-limit counters every service shares. */
export function readRedisConfig(env: Environment): RedisConfig | undefined {
  const url = optional(env, "REDIS_URL");
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/[^/]/.test(url)) {
    // The value may hold a password: never repeat it.
    throw new ConfigurationError("REDIS_URL", "must be a redis:// or rediss:// URL");
  }
  return { url, keyPrefix: keyPrefix(env) };
}

function keyPrefix(env: Environment): string {
  const prefix = optional(env, "REDIS_KEY_PREFIX") ?? "token-broker:";
  if (!/^[\x21-\x7e]{1,64}$/.test(prefix)) {
    throw new ConfigurationError(
      "REDIS_KEY_PREFIX",
      `must be 1 to 64 printable characters without spaces (got "${prefix}")`,
    );
  }
  return prefix;
}

function ipAllowlist(env: Environment, name: string, fallback: string): string[] {
  const entries = (optional(env, name) ?? fallback)
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const entry of entries) {
    if (!isIpOrCidr(entry)) {
      throw new ConfigurationError(
        name,
        `must be a comma-separated list of IP addresses or CIDRs (got "${entry}")`,
      );
    }
  }
  return entries;
}

function isIpOrCidr(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
