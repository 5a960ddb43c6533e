import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ConfigurationError,
  type Environment,
  httpUrl,
  integer,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type OutboundNetwork,
  oneOf,
  optional,
  type RedisConfig,
  readLogFormat,
  readMetricsAllowedIps,
  readOutboundNetwork,
  readRedisConfig,
} from "@token-broker/config";
import { parseRsaPrivateKey } from "@token-broker/secrets";
import { PROMPT_FORMATS, type PromptFormat } from "./model/prompt-formats.ts";

export const SERVICE_NAME = "ai-gateway";
/** GitLab's AI gateway listens on 5052. */
const DEFAULT_PORT = 5052;
const DEFAULT_RATE_LIMIT_PER_USER = 120;
const DEFAULT_MODEL_TIMEOUT_MS = 10_000;

export interface ModelConfig {
  /** OpenAI-compatible base URL; `/v1/completions` is appended. */
  readonly endpoint: string;
  readonly name: string;
  /** Sent as `Authorization: Bearer`; never logged. */
  readonly apiKey: string | undefined;
  readonly promptFormat: PromptFormat;
  readonly timeoutMs: number;
  /** How the model hop leaves the network: HTTP(S)_PROXY, NO_PROXY, MODEL_CA_FILE. */
  readonly network: OutboundNetwork;
}

export interface AiGatewayConfig {
  readonly service: typeof SERVICE_NAME;
  readonly port: number;
  readonly host: string;
  readonly externalUrl: string;
  readonly logLevel: LogLevel;
  /** LOG_FORMAT; unset: pretty on a terminal, JSON otherwise. */
  readonly logFormat: LogFormat | undefined;
  /** Base URLs whose discovery documents and keys are trusted (SaaS), without a trailing slash. */
  readonly trustedIssuers: readonly string[];
  /** How each issuer's discovery and keys are fetched (proxy, SAAS_CA_FILE). */
  readonly issuerNetworks: ReadonlyMap<string, OutboundNetwork>;
  /**
   * PKCS#8 PEM of the key that signs user tokens; unset only outside production, where one
   * is generated into `dataDir` at start.
   */
  readonly signingKey: string | undefined;
  readonly production: boolean;
  readonly dataDir: string;
  /** Completions per token subject per minute; 0 turns the limit off. */
  readonly rateLimitPerUser: number;
  readonly redis: RedisConfig | undefined;
  readonly metricsAllowedIps: readonly string[];
  /** Unset: completions answer 503 naming MODEL_ENDPOINT. */
  readonly model: ModelConfig | undefined;
  readonly shutdownDrainDelayMs: number;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function readAiGatewayConfig(env: Environment): AiGatewayConfig {
  const port = integer(env, "PORT", DEFAULT_PORT, { min: 0, max: 65535 });
  const production = env.NODE_ENV === "production";
  const trustedIssuers = readTrustedIssuers(env);
  return {
    service: SERVICE_NAME,
    port,
    host: optional(env, "HOST") ?? "127.0.0.1",
    externalUrl: httpUrl(env, "EXTERNAL_URL", `http://localhost:${port}`),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    logFormat: readLogFormat(env),
    trustedIssuers,
    issuerNetworks: new Map(
      trustedIssuers.map((issuer) => [issuer, readOutboundNetwork(env, issuer, "SAAS_CA_FILE")]),
    ),
    signingKey: readSigningKey(env, production),
    production,
    dataDir: path.resolve(
      optional(env, "DATA_DIR") ?? path.join(repositoryRoot, ".data", SERVICE_NAME),
    ),
    rateLimitPerUser: integer(env, "AI_GATEWAY_RATE_LIMIT_PER_USER", DEFAULT_RATE_LIMIT_PER_USER, {
      min: 0,
      max: 10_000_000,
    }),
    redis: readRedisConfig(env),
    metricsAllowedIps: readMetricsAllowedIps(env),
    model: readModelConfig(env),
    shutdownDrainDelayMs: integer(env, "SHUTDOWN_DRAIN_DELAY_MS", production ? 5_000 : 0, {
      min: 0,
      max: 600_000,
    }),
  };
}

function readTrustedIssuers(env: Environment): string[] {
  const raw = optional(env, "AI_GATEWAY_TRUSTED_ISSUERS");
  if (raw === undefined) {
    throw new ConfigurationError(
      "AI_GATEWAY_TRUSTED_ISSUERS",
      "is required: the comma-separated base URLs of the SaaS instances whose tokens are accepted",
    );
  }
  const issuers = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (issuers.length === 0) {
    throw new ConfigurationError("AI_GATEWAY_TRUSTED_ISSUERS", "names no URL");
  }
  // Each entry validated (and its trailing slash dropped) as any URL variable is.
  return [...new Set(issuers.map((issuer) => httpUrl({}, "AI_GATEWAY_TRUSTED_ISSUERS", issuer)))];
}

function readSigningKey(env: Environment, production: boolean): string | undefined {
  const pem = optional(env, "AI_GATEWAY_SIGNING_KEY");
  if (pem === undefined) {
    if (!production) return undefined;
    throw new ConfigurationError(
      "AI_GATEWAY_SIGNING_KEY",
      "is required in production (an RSA private key in PEM, the same on every replica)",
    );
  }
  try {
    return parseRsaPrivateKey(pem).export({ type: "pkcs8", format: "pem" }).toString();
  } catch (error) {
    // Never repeat the value: it is a private key.
    const problem = error instanceof TypeError ? error.message : "is not a PEM private key";
    throw new ConfigurationError(
      "AI_GATEWAY_SIGNING_KEY",
      `${problem} (an RSA private key in PEM is expected)`,
    );
  }
}

function readModelConfig(env: Environment): ModelConfig | undefined {
  const promptFormat = oneOf(env, "MODEL_PROMPT_FORMAT", PROMPT_FORMATS, "suffix");
  const timeoutMs = integer(env, "MODEL_TIMEOUT_MS", DEFAULT_MODEL_TIMEOUT_MS, {
    min: 100,
    max: 600_000,
  });
  const raw = optional(env, "MODEL_ENDPOINT");
  if (raw === undefined) return undefined;
  const endpoint = httpUrl(env, "MODEL_ENDPOINT", raw).replace(/\/v1$/, "");
  const name = optional(env, "MODEL_NAME");
  if (name === undefined) {
    throw new ConfigurationError(
      "MODEL_NAME",
      "is required with MODEL_ENDPOINT (the model to ask)",
    );
  }
  if (name.length > 255)
    throw new ConfigurationError("MODEL_NAME", "must be at most 255 characters");
  return {
    endpoint,
    name,
    apiKey: optional(env, "MODEL_API_KEY"),
    promptFormat,
    timeoutMs,
    network: readOutboundNetwork(env, endpoint, "MODEL_CA_FILE"),
  };
}
