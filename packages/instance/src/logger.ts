import { CREDENTIAL_HEADERS, isCredentialParam } from "@token-broker/auth";
import type { LogLevel } from "@token-broker/config";
import type { FastifyRequest } from "fastify";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export const REDACTED = "[REDACTED]";

/** Log lines are written in writes of this many bytes, or when they have waited this long. */
const LOG_WRITE_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 100;

/** Each credential header as Node names it, as clients write it, and in capitals. */
const CREDENTIAL_HEADER_SPELLINGS = CREDENTIAL_HEADERS.flatMap((name) => [
  name,
  name.replace(
    /(^|-)([a-z])/g,
    (_match, dash: string, letter: string) => dash + letter.toUpperCase(),
  ),
  name.toUpperCase(),
]);

/**
 * Every place a credential could reach a log line. Headers are not logged by default;
 * these paths cover anything that logs them or a body deliberately.
 */
const REDACT_PATHS = [
  ...CREDENTIAL_HEADER_SPELLINGS.flatMap((name) => [
    `req.headers["${name}"]`,
    `headers["${name}"]`,
    `*.headers["${name}"]`,
    `*["${name}"]`,
  ]),
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "*.private_token",
  "*.token",
  "*.access_token",
  "*.ai_access_token",
  "*.password",
  "*.privateKey",
];

/** A query parameter's name as the query parser reads it (`+` is a space, `%5F` is `_`). */
function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

/**
 * The request URL as logged: every query parameter that the credential reader would take
 * for a token, however its name is spelled, loses its value.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split("&")
    .map((pair) => {
      const name = pair.split("=", 1)[0] ?? "";
      return isCredentialParam(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join("&");
  return `${url.slice(0, start + 1)}${query}`;
}

/**
 * Errors as pino logs them, without `rawPacket`: the raw bytes of a request Node's parser
 * refused, headers and credentials included.
 */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (typeof serialized !== "object" || serialized === null) return serialized;
  const { rawPacket: _rawBytes, ...rest } = serialized;
  return rest;
}

export interface LoggerSettings {
  /** `service` of every line: saas, self-managed, ai-gateway. */
  readonly service: string;
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
      err: serializeError,
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
  // The pretty transport runs in a worker thread. JSON lines are written asynchronously, in
  // writes of at least 4 KB, and at least every 100 ms: every write is a job for libuv's
  // thread pool (which also signs tokens) and wakes a reader, and one per line or two cost a
  // busy instance more than the lines themselves (~20 µs a request in `pnpm bench`).
  if (settings.pretty) return pino(loggerOptions(settings));
  const stdout = pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_WRITE_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
  // Whatever way the process ends, the last lines (why it stopped) are written.
  process.once("exit", () => stdout.flushSync());
  return pino(loggerOptions(settings), stdout);
}
