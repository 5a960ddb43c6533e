import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyRequest {
    /** Facts a route adds to the request's one log line (e.g. the upstream's answer). */
    logFields: Record<string, unknown> | undefined;
  }
}

/**
 * One log line per request, when it completes (Fastify's default writes two): method,
 * redacted URL, status, duration, the authenticated user and whatever the route added.
 * Routes with a higher log level (health probes) stay quiet.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const fields = {
      req: request,
      res: { statusCode: reply.statusCode },
      responseTime: reply.elapsedTime,
      userId: request.principal?.user.id,
      ...request.logFields,
    };
    if (error) reply.log.error({ ...fields, err: error }, "request errored");
    else reply.log.info(fields, "request completed");
  }
}

/** Declares the fields routes add to the request log line. */
export const requestLog = fp(
  async (app) => {
    app.decorateRequest("logFields", undefined);
  },
  { name: "request-log" },
);
