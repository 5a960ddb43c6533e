import type { FastifyContextConfig, FastifyRequest } from "fastify";

type RateLimitOptions = Exclude<FastifyContextConfig["rateLimit"], false | undefined>;

/**
 * A route's `config.rateLimit` on the instance's limiter (its store, headers and 429 body):
 * per authenticated user and route, `perMinute` a minute, none at all when it is 0.
 */
export function perUserRateLimit(route: string, perMinute: number): RateLimitOptions {
  return {
    keyGenerator: (request: FastifyRequest) => `editor:${route}:user:${request.principal.user.id}`,
    max: perMinute,
    allowList: () => perMinute === 0,
  };
}
