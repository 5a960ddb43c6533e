import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Environment, type InstanceConfig, readInstanceConfig } from "@token-broker/instance";

export type SaasConfig = InstanceConfig;

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function readSaasConfig(env: Environment): SaasConfig {
  return readInstanceConfig("saas", env, repositoryRoot);
}
