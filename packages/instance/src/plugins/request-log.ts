import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import fp from "fastify-plugin";
import type { Logger } from "pino";

/**
 * What a route may add to its request's log line: each app declares its own fields (module
 * augmentation of this interface). A closed set of facts, none of them a credential: the line
 * is written without the redaction every other line goes through.
 */
// biome-ignore lint/suspicious/noEmptyInterface: the apps add their fields to it.
export interface RequestLogFields {}

declare module "fastify" {
  interface FastifyRequest {
    /** Facts a route adds to the request's one log line (e.g. the upstream's answer). */
    logFields: RequestLogFields | undefined;
  }
}

/**
 * One log line per request, when it completes (Fastify's default writes two): method,
 * redacted URL, status, duration, the authenticated user and whatever the route added.
 * Routes with a higher log level (health probes) stay quiet.
 *
 * The line of a request that completed has a fixed shape (the URL is redacted by the `req`
 * serializer): it is written by a child of the service's logger without its redaction
 * paths: pino's wildcard paths walk every field of every line, ~25 µs a line, as much as
 * the rest of the request's logging ten times over. A request that errored is logged by
 * the request's logger, redaction and all: an error may carry anything.
 */
export class RequestLogController extends LogController {
  readonly #lines: Logger;

  constructor(logger: Logger) {
    super();
    this.#lines = logger.child({}, { redact: [] });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error(
        {
          req: request,
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
          userId: request.principal?.user.id,
          ...request.logFields,
          err: error,
        },
        "request errored",
      );
      return;
    }
    // The route's log level (health probes log warnings only) is the request logger's.
    if (!(reply.log as Logger).isLevelEnabled("info")) return;
    this.#lines.info(
      {
        reqId: request.id,
        req: request,
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
        userId: request.principal?.user.id,
        ...request.logFields,
      },
      "request completed",
    );
  }
}

/** Declares the fields routes add to the request log line. */
export const requestLog = fp(
  async (app) => {
    app.decorateRequest("logFields", undefined);
  },
  { name: "request-log" },
);
