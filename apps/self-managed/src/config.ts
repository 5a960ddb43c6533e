import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Environment,
  httpUrl,
  type InstanceConfig,
  integer,
  readInstanceConfig,
} from "@token-broker/instance";

export interface SelfManagedConfig extends InstanceConfig {
  /** Base URL of the SaaS instance token requests are streamed to (configuration only). */
  readonly saasUrl: string;
  /** How long to wait for SaaS's response headers before answering 504. */
  readonly saasTimeoutMs: number;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function readSelfManagedConfig(env: Environment): SelfManagedConfig {
  return {
    ...readInstanceConfig("self-managed", env, repositoryRoot),
    saasUrl: httpUrl(env, "SAAS_URL", "https://gitlab.com"),
    saasTimeoutMs: integer(env, "SAAS_TIMEOUT_MS", 5_000, { min: 1, max: 600_000 }),
  };
}
