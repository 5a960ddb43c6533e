import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { RequestLogController } from "./plugins/request-log.ts";

/** Fastify's options for a service, shared by the process entry point and the tests. */
export function serverOptions(logger: Logger) {
  return {
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    // Never take a request id from the client.
    requestIdHeader: false as const,
    // One line per request instead of two.
    logController: new RequestLogController(),
    // Longer than the usual load balancer idle timeout (60 s), so the proxy closes first.
    keepAliveTimeout: 72_000,
    requestTimeout: 30_000,
    // The contract's limit for any body (token-api.md, instance-api.md): larger ones get 413.
    bodyLimit: 64 * 1024,
    // At close, requests arriving on a connection that was busy are served (answered with
    // `Connection: close`) rather than refused with 503, an answer a load balancer relays
    // instead of retrying; idle connections are closed, which it retries elsewhere.
    return503OnClosing: false,
    forceCloseConnections: "idle" as const,
    // GitLab accepts `scopes[]=api` form fields; keep the array even with one value.
    ajv: { customOptions: { coerceTypes: "array" as const } },
    // GitLab's router treats `//api/v4/user` and `/api/v4/features//<name>` as if each run of
    // slashes were one; some clients build paths that way.
    routerOptions: { ignoreDuplicateSlashes: true },
  };
}
