import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ConfigurationError,
  type Environment,
  type InstanceConfig,
  optional,
  readInstanceConfig,
} from "@token-broker/config";
import { parseDuration } from "./signing/duration.ts";
import { parseRsaPrivateKey } from "./signing/rsa-private-key.ts";

export interface SaasConfig extends InstanceConfig {
  /** PKCS#8 PEM of the key to sign with; when unset a key is generated and kept encrypted. */
  readonly jwtSigningKey: string | undefined;
  /** How long a new key must be published before `signing-keys activate` accepts it. */
  readonly signingKeyPublishLeadSeconds: number;
  /** INSTANCE_TOKEN_TTL: the life of an instance token for self-managed instances. */
  readonly instanceTokenTtlSeconds: number;
}

/** GitLab's AI gateway caches the key set for a day. */
const DEFAULT_PUBLISH_LEAD = "24h";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function readSaasConfig(env: Environment): SaasConfig {
  return {
    ...readInstanceConfig("saas", env, repositoryRoot),
    jwtSigningKey: signingKey(env),
    signingKeyPublishLeadSeconds: publishLead(env),
    instanceTokenTtlSeconds: instanceTokenTtl(env),
  };
}

function publishLead(env: Environment): number {
  const raw = optional(env, "SIGNING_KEY_PUBLISH_LEAD") ?? DEFAULT_PUBLISH_LEAD;
  const seconds = parseDuration(raw);
  if (seconds === undefined) {
    throw new ConfigurationError(
      "SIGNING_KEY_PUBLISH_LEAD",
      `must be a duration such as 24h, 90m, 30s or 1d, or a number of seconds (got "${raw}")`,
    );
  }
  return seconds;
}

/** GitLab's instance tokens live an hour; self-managed refreshes them at half-life. */
const DEFAULT_INSTANCE_TOKEN_TTL = "1h";
// Below this a token would be refreshed more often than SaaS's rate limit is meant for;
// above a day, a key that stopped signing would stay published (and unretirable) as long.
const INSTANCE_TOKEN_TTL_BOUNDS = { min: 10, max: 86_400 } as const;

function instanceTokenTtl(env: Environment): number {
  const raw = optional(env, "INSTANCE_TOKEN_TTL") ?? DEFAULT_INSTANCE_TOKEN_TTL;
  const seconds = parseDuration(raw);
  const { min, max } = INSTANCE_TOKEN_TTL_BOUNDS;
  if (seconds === undefined || seconds < min || seconds > max) {
    throw new ConfigurationError(
      "INSTANCE_TOKEN_TTL",
      `must be a duration from ${min}s to 24h, such as 1h, 90m or 600 (seconds) (got "${raw}")`,
    );
  }
  return seconds;
}

function signingKey(env: Environment): string | undefined {
  const pem = optional(env, "JWT_SIGNING_KEY");
  if (pem === undefined) return undefined;
  try {
    return parseRsaPrivateKey(pem).export({ type: "pkcs8", format: "pem" }).toString();
  } catch (error) {
    // Never repeat the value: it is a private key.
    const problem = error instanceof TypeError ? error.message : "is not a PEM private key";
    throw new ConfigurationError(
      "JWT_SIGNING_KEY",
      `${problem} (an RSA private key in PEM is expected)`,
    );
  }
}
