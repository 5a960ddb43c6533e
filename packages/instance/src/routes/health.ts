import type { Database } from "@token-broker/db";
import type { FastifyPluginAsync } from "fastify";

const READINESS_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GitLab's health endpoints: liveness (the process), readiness (its database, and not
 * draining: once `draining` is aborted load balancers must stop sending requests), health.
 */
export function healthRoutes(database: Database, draining?: AbortSignal): FastifyPluginAsync {
  return async (app) => {
    // Probes call these every few seconds: log only their problems.
    const quiet = { logLevel: "warn" as const };

    app.get("/-/liveness", quiet, async () => ({ status: "ok" }));

    app.get("/-/readiness", quiet, async (request, reply) => {
      if (draining?.aborted) {
        return reply.code(503).send({
          status: "failed",
          shutdown_check: [{ status: "failed", message: "shutting down" }],
        });
      }
      try {
        await withTimeout(database.ping(), READINESS_TIMEOUT_MS);
        return { status: "ok", db_check: [{ status: "ok" }] };
      } catch (error) {
        request.log.warn({ err: error }, "readiness: the database does not answer");
        return reply.code(503).send({
          status: "failed",
          db_check: [{ status: "failed", message: "database does not answer" }],
        });
      }
    });

    app.get("/-/health", quiet, async (_request, reply) =>
      reply.type("text/plain").send("GitLab OK"),
    );
  };
}
