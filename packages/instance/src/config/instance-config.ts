import path from "node:path";
import { isWellFormedToken } from "@token-broker/auth";
import { type DatabaseLocation, DEFAULT_POOL_SIZE, databaseLocation } from "@token-broker/db";
import { type EditorConfig, readEditorConfig } from "./editor-config.ts";
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

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every instance (SaaS or self-managed) reads from its environment. */
export interface InstanceConfig {
  readonly service: ServiceName;
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseLocation;
  /** Connections each process keeps for queries (DATABASE_POOL_SIZE). */
  readonly databasePoolSize: number;
  readonly dataDir: string;
  readonly externalUrl: string;
  readonly initialRootToken: string | undefined;
  /** DB_KEY_BASE as given; resolved (or generated for the embedded database) at start. */
  readonly dbKeyBase: string | undefined;
  readonly logLevel: LogLevel;
  readonly operations: OperationsConfig;
  /** How long readiness fails before the server stops accepting, at SIGTERM. */
  readonly shutdownDrainDelayMs: number;
  /** The editor API's version, gateway and limits (docs/editors.md). */
  readonly editor: EditorConfig;
}

/**
 * A load balancer checking readiness every second marks a replica down within a few
 * checks; PostgreSQL deployments are the ones behind one. The embedded database is one
 * development process: it stops at once.
 */
const DEFAULT_DRAIN_DELAY_MS = { postgres: 5_000, embedded: 0 } as const;

export function readInstanceConfig(
  service: ServiceName,
  env: Environment,
  repositoryRoot: string,
): InstanceConfig {
  const port = integer(env, "PORT", DEFAULT_PORTS[service], { min: 0, max: 65535 });
  const dataDir = path.resolve(
    optional(env, "DATA_DIR") ?? path.join(repositoryRoot, ".data", service),
  );
  const database = databaseLocation(databaseUrls(env), dataDir);
  return {
    service,
    port,
    host: optional(env, "HOST") ?? "127.0.0.1",
    database,
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, { min: 1, max: 1000 }),
    dataDir,
    externalUrl: httpUrl(env, "EXTERNAL_URL", `http://localhost:${port}`),
    initialRootToken: initialRootToken(env),
    dbKeyBase: optional(env, "DB_KEY_BASE"),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    operations: readOperationsConfig(env),
    shutdownDrainDelayMs: integer(
      env,
      "SHUTDOWN_DRAIN_DELAY_MS",
      DEFAULT_DRAIN_DELAY_MS[database.kind],
      { min: 0, max: 600_000 },
    ),
    editor: readEditorConfig(env),
  };
}

function databaseUrls(env: Environment) {
  const url = postgresUrl(env, "DATABASE_URL");
  const directUrl = postgresUrl(env, "DATABASE_DIRECT_URL");
  if (directUrl !== undefined && url === undefined) {
    throw new ConfigurationError("DATABASE_DIRECT_URL", "is set but DATABASE_URL is not");
  }
  return { url, directUrl };
}

function postgresUrl(env: Environment, name: string): string | undefined {
  const url = optional(env, name);
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
    // The value may hold a password: never repeat it.
    throw new ConfigurationError(name, "must be a postgres:// or postgresql:// URL");
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
