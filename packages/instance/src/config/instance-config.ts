import path from "node:path";
import { isWellFormedToken } from "@token-broker/auth";
import { type DatabaseLocation, databaseLocation } from "@token-broker/db";
import {
  ConfigurationError,
  type Environment,
  httpUrl,
  integer,
  oneOf,
  optional,
} from "./environment.ts";
import { type OperationsConfig, readOperationsConfig } from "./operations-config.ts";

export type ServiceName = "saas" | "self-managed";

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  "self-managed": 3000,
  saas: 3001,
};

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every instance (SaaS or self-managed) reads from its environment. */
export interface InstanceConfig {
  readonly service: ServiceName;
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseLocation;
  readonly dataDir: string;
  readonly externalUrl: string;
  readonly initialRootToken: string | undefined;
  /** DB_KEY_BASE as given; resolved (or generated for the embedded database) at start. */
  readonly dbKeyBase: string | undefined;
  readonly logLevel: LogLevel;
  readonly operations: OperationsConfig;
}

export function readInstanceConfig(
  service: ServiceName,
  env: Environment,
  repositoryRoot: string,
): InstanceConfig {
  const port = integer(env, "PORT", DEFAULT_PORTS[service], { min: 0, max: 65535 });
  const dataDir = path.resolve(
    optional(env, "DATA_DIR") ?? path.join(repositoryRoot, ".data", service),
  );
  return {
    service,
    port,
    host: optional(env, "HOST") ?? "127.0.0.1",
    database: databaseLocation(postgresUrl(env), dataDir),
    dataDir,
    externalUrl: httpUrl(env, "EXTERNAL_URL", `http://localhost:${port}`),
    initialRootToken: initialRootToken(env),
    dbKeyBase: optional(env, "DB_KEY_BASE"),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    operations: readOperationsConfig(env),
  };
}

function postgresUrl(env: Environment): string | undefined {
  const url = optional(env, "DATABASE_URL");
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
    // The value may hold a password: never repeat it.
    throw new ConfigurationError("DATABASE_URL", "must be a postgres:// or postgresql:// URL");
  }
  return url;
}

function initialRootToken(env: Environment): string | undefined {
  const token = optional(env, "INITIAL_ROOT_TOKEN");
  if (token !== undefined && !isWellFormedToken(token)) {
    throw new ConfigurationError(
      "INITIAL_ROOT_TOKEN",
      "must be glpat- followed by 20 characters from A-Z, a-z, 0-9, - and _",
    );
  }
  return token;
}
