import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ConfigurationError,
  type Environment,
  type InstanceConfig,
  optional,
  readInstanceConfig,
} from "@token-broker/instance";
import { parseRsaPrivateKey } from "./signing/rsa-private-key.ts";

export interface SaasConfig extends InstanceConfig {
  /** PKCS#8 PEM of the key to sign with; when unset a key is generated and kept encrypted. */
  readonly jwtSigningKey: string | undefined;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function readSaasConfig(env: Environment): SaasConfig {
  return { ...readInstanceConfig("saas", env, repositoryRoot), jwtSigningKey: signingKey(env) };
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
