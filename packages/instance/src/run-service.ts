import { type Environment, type InstanceConfig, openStorage } from "@token-broker/config";
import { type Database, openDatabase } from "@token-broker/db";
import { applyMigrations, MIGRATE_ONLY_FLAG } from "@token-broker/db/migrations";
import Fastify, { type FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import { closeConnectionsWhileDraining } from "./drain.ts";
import { createLogger } from "./logger.ts";
import { exitWith, prettyLogs, serveUntilStopped } from "./serve-until-stopped.ts";
import { serverOptions } from "./server-options.ts";

export interface AppOptions<C extends InstanceConfig> {
  readonly config: C;
  readonly database: Database;
  readonly keyBase: string;
  /** Aborted when the process starts draining at a stop signal (readiness then fails). */
  readonly draining?: AbortSignal;
}

/** A service: its configuration reader and its app (the process and the tests run the same). */
export interface ServiceDefinition<C extends InstanceConfig> {
  readonly readConfig: (env: Environment) => C;
  readonly app: FastifyPluginAsync<AppOptions<C>>;
}

/**
 * The process entry point of a service: validate configuration, apply pending migrations,
 * serve, and on SIGTERM/SIGINT drain: readiness fails for SHUTDOWN_DRAIN_DELAY_MS while
 * requests are still served (so that load balancers take the replica out first), then stop
 * accepting, let requests under way finish, close idle connections and exit.
 * With --migrate-only: apply pending migrations and exit.
 */
export async function runService<C extends InstanceConfig>(
  definition: ServiceDefinition<C>,
  env: Environment = process.env,
): Promise<void> {
  let config: C;
  try {
    config = definition.readConfig(env);
  } catch (error) {
    return exitWith(error);
  }
  if (process.argv.includes(MIGRATE_ONLY_FLAG)) return migrateOnly(config);
  const logger = createLogger({
    service: config.service,
    level: config.logLevel,
    pretty: prettyLogs(config.logFormat),
  });
  try {
    await serve(definition, config, logger);
  } catch (error) {
    logger.fatal({ err: error }, "could not start");
    return exitWith(error);
  }
}

async function serve<C extends InstanceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger: Logger,
): Promise<void> {
  // Until the graceful shutdown below takes over, a stop request (docker stop during the
  // migrations, say) ends the start at once; as PID 1 without a handler it would be ignored.
  const stopBeforeServing = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "stopped before serving");
    process.exit(0);
  };
  process.once("SIGTERM", stopBeforeServing);
  process.once("SIGINT", stopBeforeServing);
  const { database, keyBase, appliedMigrations } = await openStorage(config, {
    maxConnections: config.databasePoolSize,
    migrateApart: true,
  });
  if (appliedMigrations.length > 0) {
    logger.info({ migrations: appliedMigrations }, "applied pending migrations");
  }
  const app = Fastify(serverOptions(logger));
  app.addHook("onClose", () => database.close());
  const draining = new AbortController();
  try {
    await app.register(closeConnectionsWhileDraining, { draining: draining.signal });
    await app.register(definition.app, { config, database, keyBase, draining: draining.signal });
  } catch (error) {
    await app.close();
    throw error;
  }

  process.off("SIGTERM", stopBeforeServing);
  process.off("SIGINT", stopBeforeServing);
  await serveUntilStopped(app, logger, {
    port: config.port,
    host: config.host,
    drainDelayMs: config.shutdownDrainDelayMs,
    draining,
  });
}

/**
 * `<entry point> --migrate-only`: applies pending migrations and exits, printing the names
 * applied as JSON (a one-off migration job, and how the server migrates PostgreSQL). Needs
 * only the database's location: no DB_KEY_BASE.
 */
async function migrateOnly(config: InstanceConfig): Promise<void> {
  try {
    const database = await openDatabase(config.database, { maxConnections: 1 });
    try {
      const applied = await applyMigrations(database);
      process.stdout.write(`${JSON.stringify({ applied })}\n`);
    } finally {
      await database.close();
    }
  } catch (error) {
    exitWith(error);
  }
}
