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
export const requestLog = fp(
  async (app) => {
    app.decorateRequest("logFields", undefined);
    app.addHook("onResponse", async (request, reply) => {
      request.log.info(
        {
          req: request,
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
          userId: request.principal?.user.id,
          ...request.logFields,
        },
        "request completed",
      );
    });
  },
  { name: "request-log" },
);
