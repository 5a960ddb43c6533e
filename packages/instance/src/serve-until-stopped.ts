import { setTimeout as delay } from "node:timers/promises";
import { ConfigurationError, type LogFormat } from "@token-broker/config";
import closeWithGrace from "close-with-grace";
import type { Logger } from "pino";

/** Grace period for requests under way once the server stops accepting. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  /** How long readiness fails before the server stops accepting, at SIGTERM. */
  readonly drainDelayMs: number;
  /** Aborted at the stop signal: readiness fails from then on. */
  readonly draining: AbortController;
}

/**
 * Every service's end: listen, and on SIGTERM/SIGINT drain: readiness fails for
 * `drainDelayMs` while requests are still served (so that load balancers take the replica
 * out first), then stop accepting, let requests under way finish, close idle connections.
 */
/** A Fastify server, whatever its logger's type. */
interface Server {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): PromiseLike<unknown>;
}

export async function serveUntilStopped(
  app: Server,
  logger: Logger,
  { port, host, drainDelayMs, draining }: ListenOptions,
): Promise<void> {
  closeWithGrace({ delay: drainDelayMs + SHUTDOWN_GRACE_MS, logger }, async ({ signal, err }) => {
    draining.abort();
    if (err) {
      logger.error({ err }, "stopping after an unexpected error");
    } else {
      logger.info({ signal, drainDelayMs }, "draining: readiness fails, requests still served");
      await delay(drainDelayMs);
      logger.info("stopping: finishing requests under way");
    }
    await app.close();
  });
  await app.listen({ port, host });
}

/** Ends the process with a one-line reason on stderr (configuration, database, port…). */
export function exitWith(error: unknown): never {
  const reason =
    error instanceof ConfigurationError || !(error instanceof Error)
      ? String(error instanceof Error ? error.message : error)
      : `${error.name}: ${error.message}`;
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}

/** LOG_FORMAT (validated) `pretty` or `json`; unset: pretty on a terminal only. */
export function prettyLogs(format: LogFormat | undefined): boolean {
  return format === undefined ? process.stdout.isTTY === true : format === "pretty";
}
