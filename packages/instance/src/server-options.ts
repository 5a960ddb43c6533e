import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { handleClientError, handleFrameworkError } from "./http/client-errors.ts";
import { RequestLogController } from "./plugins/request-log.ts";

const REQUEST_TIMEOUT_MS = 10_000;

/** Fastify's options for a service, shared by the process entry point and the tests. */
export function serverOptions(logger: Logger) {
  return {
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    // Never take a request id from the client.
    requestIdHeader: false as const,
    // One line per request instead of two.
    logController: new RequestLogController(logger),
    // Longer than the usual load balancer idle timeout (60 s), so the proxy closes first.
    keepAliveTimeout: 72_000,
    // The whole request (headers and at most 64 KB of body) must arrive within 10 s: a client
    // trickling its body gets 408 and the connection closed instead of holding it. Node checks
    // every second (its default, 30 s, would let such a request live 40 s). Node reads these
    // when the server is created: Fastify's own setting, applied afterwards, is not enough.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
    },
    // Node's parser refusals (malformed request, headers over 16 KB: 431, timeout: 408) and
    // the router's (an undecodable path): GitLab's bodies, and no raw request bytes in a log.
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
    // The limit for any body (docs/token-api.md, docs/instance-api.md): larger ones get 413.
    bodyLimit: 64 * 1024,
    // At close, requests arriving on a connection that was busy are served (answered with
    // `Connection: close`) rather than refused with 503, an answer a load balancer relays
    // instead of retrying; idle connections are closed, which it retries elsewhere.
    return503OnClosing: false,
    forceCloseConnections: "idle" as const,
    // GitLab accepts `scopes[]=api` form fields; keep the array even with one value.
    ajv: { customOptions: { coerceTypes: "array" as const } },
    // GitLab's router treats `//api/v4/user` and `/api/v4/features//<name>` as if each run of
    // slashes were one, and accepts a trailing slash on every path (python-gitlab lists
    // features at `/api/v4/features/`); some clients build paths that way.
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
  };
}
