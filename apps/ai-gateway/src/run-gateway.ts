import {
  closeConnectionsWhileDraining,
  createLogger,
  type Environment,
  exitWith,
  prettyLogs,
  serveUntilStopped,
} from "@token-broker/instance";
import Fastify from "fastify";
import { aiGatewayApp } from "./app.ts";
import { type AiGatewayConfig, readAiGatewayConfig } from "./config.ts";
import { gatewayServerOptions } from "./server-options.ts";

/**
 * The gateway's process entry point: validate configuration, serve, drain at SIGTERM as
 * the instances do. No database, hence no migrations.
 */
export async function runGateway(env: Environment = process.env): Promise<void> {
  let config: AiGatewayConfig;
  try {
    config = readAiGatewayConfig(env);
  } catch (error) {
    return exitWith(error);
  }
  const logger = createLogger({
    service: config.service,
    level: config.logLevel,
    pretty: prettyLogs(config.logFormat),
  });
  const draining = new AbortController();
  const app = Fastify(gatewayServerOptions(logger));
  try {
    await app.register(closeConnectionsWhileDraining, { draining: draining.signal });
    await app.register(aiGatewayApp, { config, draining: draining.signal });
    await serveUntilStopped(app, logger, {
      port: config.port,
      host: config.host,
      drainDelayMs: config.shutdownDrainDelayMs,
      draining,
    });
  } catch (error) {
    logger.fatal({ err: error }, "could not start");
    await app.close();
    return exitWith(error);
  }
}
