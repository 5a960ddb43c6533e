import type { FastifyRequest } from "fastify";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import type { LogLevel, ServiceName } from "./config/instance-config.ts";

export const REDACTED = "[REDACTED]";

/**
 * Every place a credential could reach a log line. Headers are not logged by default;
 * these paths cover anything that logs them or a body deliberately.
 */
const REDACT_PATHS = [
  "req.headers.authorization",
  'req.headers["private-token"]',
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "headers.authorization",
  'headers["private-token"]',
  "*.authorization",
  "*.private_token",
  "*.token",
  "*.access_token",
  "*.ai_access_token",
  "*.password",
  "*.privateKey",
];

const PRIVATE_TOKEN_PARAM = /([?&]private_token=)[^&#]*/gi;

/** The request URL as logged: a `private_token` query parameter loses its value. */
export function redactUrl(url: string): string {
  return url.replace(PRIVATE_TOKEN_PARAM, `$1${REDACTED}`);
}

export interface LoggerSettings {
  readonly service: ServiceName;
  readonly level: LogLevel;
  /** Human-readable lines (development on a terminal) instead of JSON. */
  readonly pretty: boolean;
}

export function loggerOptions(settings: LoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        remoteAddress: request.ip,
      }),
    },
    ...(settings.pretty
      ? {
          transport: {
            target: "pino-pretty",
            // One line per entry; the service name is already in the prefix of `pnpm dev`.
            options: {
              translateTime: "SYS:HH:MM:ss.l",
              singleLine: true,
              ignore: "pid,hostname,service",
            },
          },
        }
      : {}),
  };
}

export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  if (destination) return pino(loggerOptions(settings), destination);
  // The pretty transport runs in a worker thread. JSON lines are written asynchronously:
  // at once when idle, and lines logged while a write is under way go together in the next
  // (one write per line costs more than the line on a busy instance).
  if (settings.pretty) return pino(loggerOptions(settings));
  const stdout = pino.destination({ dest: 1, sync: false });
  // Whatever way the process ends, the last lines (why it stopped) are written.
  process.once("exit", () => stdout.flushSync());
  return pino(loggerOptions(settings), stdout);
}
