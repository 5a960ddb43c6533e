import type { FastifyPluginAsync } from "fastify";

/**
 * GitLab's AI gateway probes. Readiness depends on nothing outside the process: an issuer or
 * model server that is down makes requests fail with their own status, and taking every
 * replica out of the load balancer for it would only turn those answers into refusals.
 */
export const healthRoutes: FastifyPluginAsync<{ draining?: AbortSignal }> = async (
  app,
  { draining },
) => {
  // Probes call these every few seconds: log only their problems.
  const quiet = { logLevel: "warn" as const, schema: { hide: true } };

  app.get("/monitoring/healthz", quiet, async () => ({ status: "ok" }));

  app.get("/monitoring/ready", quiet, async (_request, reply) => {
    if (draining?.aborted) return reply.code(503).send({ status: "shutting down" });
    return { status: "ok" };
  });
};
