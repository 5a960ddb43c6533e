import type { FastifyReply, FastifyRequest, onResponseAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import {
  createInstanceMetrics,
  type InstanceMetrics,
  type TokenOutcome,
} from "../metrics/instance-metrics.ts";
import { ipAllowlist } from "../metrics/ip-allowlist.ts";

declare module "fastify" {
  interface FastifyInstance {
    metrics: InstanceMetrics & {
      /** An onResponse hook for token routes: counts `request.tokenOutcome`. */
      countTokenOutcome: onResponseAsyncHookHandler;
    };
  }
  interface FastifyRequest {
    /** How a token request ended; set by the token route (and the rate limit). */
    tokenOutcome: TokenOutcome | undefined;
  }
}

export const METRICS_PATH = "/-/metrics";
/** The route label of requests no route matched: never the raw URL. */
const UNMATCHED_ROUTE = "unmatched";
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Prometheus metrics at `/-/metrics`, for allowed addresses only (anyone else sees the
 * 404 of an unknown path), and the HTTP metrics of every request.
 */
export const metrics = fp<{ allowedIps: readonly string[] }>(
  async (app, { allowedIps }) => {
    const instanceMetrics = createInstanceMetrics();
    const { httpRequests, httpRequestDuration, registry } = instanceMetrics;
    const allowed = ipAllowlist(allowedIps);

    app.decorateRequest("tokenOutcome", undefined);
    app.decorate("metrics", {
      ...instanceMetrics,
      async countTokenOutcome(request: FastifyRequest) {
        const outcome = request.tokenOutcome ?? request.authFailure;
        if (outcome !== undefined) instanceMetrics.countToken(outcome);
      },
    });

    app.addHook("onResponse", async (request: FastifyRequest, reply: FastifyReply) => {
      const method = METHODS.has(request.method) ? request.method : "other";
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      httpRequests.inc({ method, route, status: reply.statusCode });
      httpRequestDuration.observe({ method, route }, reply.elapsedTime / 1000);
    });

    app.get(METRICS_PATH, { logLevel: "warn", schema: { hide: true } }, async (request, reply) => {
      // The socket's address: no proxy header may claim an allowed one.
      if (!allowed(request.ip)) return reply.callNotFound();
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: "metrics" },
);
