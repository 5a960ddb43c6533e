import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Environment,
  httpUrl,
  type InstanceConfig,
  integer,
  readInstanceConfig,
} from "@token-broker/config";
import { readSaasNetwork, type SaasNetwork } from "./saas-proxy/network-config.ts";

export interface SelfManagedConfig extends InstanceConfig {
  /** Base URL of the SaaS instance token requests are streamed to (configuration only). */
  readonly saasUrl: string;
  /** How long to wait for SaaS's response headers before answering 504. */
  readonly saasTimeoutMs: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY and SAAS_CA_FILE, for every request to SaaS. */
  readonly saasNetwork: SaasNetwork;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function readSelfManagedConfig(env: Environment): SelfManagedConfig {
  const saasUrl = httpUrl(env, "SAAS_URL", "https://gitlab.com");
  return {
    ...readInstanceConfig("self-managed", env, repositoryRoot),
    saasUrl,
    saasTimeoutMs: integer(env, "SAAS_TIMEOUT_MS", 5_000, { min: 1, max: 600_000 }),
    saasNetwork: readSaasNetwork(env, saasUrl),
  };
}
