import { isIP } from "node:net";
import path from "node:path";
import { isWellFormedToken } from "@token-broker/auth";
import { type DatabaseLocation, DEFAULT_POOL_SIZE, databaseLocation } from "@token-broker/db";
import { MIN_KEY_BASE_LENGTH } from "@token-broker/secrets";
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
const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** LOG_FORMAT, `pretty` or `json`; unset: pretty on a terminal, JSON otherwise. */
export function readLogFormat(env: Environment): LogFormat | undefined {
  return optional(env, "LOG_FORMAT") === undefined
    ? undefined
    : oneOf(env, "LOG_FORMAT", LOG_FORMATS, "json");
}

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
  /** LOG_FORMAT; unset: pretty on a terminal, JSON otherwise. */
  readonly logFormat: LogFormat | undefined;
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
    host: host(env),
    database,
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, { min: 1, max: 1000 }),
    dataDir,
    externalUrl: externalUrl(env, port),
    initialRootToken: initialRootToken(env),
    dbKeyBase: keyBase(env),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    logFormat: readLogFormat(env),
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

/** A host name or an IP address to bind (0.0.0.0 and :: for every interface). */
function host(env: Environment): string {
  const value = optional(env, "HOST") ?? "127.0.0.1";
  if (
    isIP(value) === 0 &&
    !/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
      value,
    )
  ) {
    throw new ConfigurationError("HOST", `must be an IP address or a host name (got "${value}")`);
  }
  return value;
}

/**
 * Checked here, with the rest, so that a short one stops the start before anything is
 * opened. Whether one is required depends on the database (see resolveKeyBase): a migration
 * job (--migrate-only) needs none.
 */
function keyBase(env: Environment): string | undefined {
  const value = optional(env, "DB_KEY_BASE");
  if (value !== undefined && value.length < MIN_KEY_BASE_LENGTH) {
    // A secret: never repeat it, not even its length.
    throw new ConfigurationError(
      "DB_KEY_BASE",
      `must be at least ${MIN_KEY_BASE_LENGTH} characters`,
    );
  }
  return value;
}

/**
 * Where clients reach the service: SaaS's issuer and key-set URL, pagination links. The
 * routes answer at the root of the host (GitLab's own API paths are absolute), so a path
 * would advertise URLs no route serves: it is refused rather than served under a prefix.
 */
function externalUrl(env: Environment, port: number): string {
  const url = httpUrl(env, "EXTERNAL_URL", `http://localhost:${port}`);
  const { pathname } = new URL(url);
  if (pathname !== "/") {
    throw new ConfigurationError(
      "EXTERNAL_URL",
      `must be a scheme, host and port without a path (got path "${pathname}"): the service answers at the root of its host; serve it on a host of its own`,
    );
  }
  return url;
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
