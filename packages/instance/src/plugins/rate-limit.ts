import type { RateLimitOptions } from "@fastify/rate-limit";
import { BrokerError } from "@token-broker/errors";
import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { ServiceName } from "../config/instance-config.ts";
import type { OperationsConfig } from "../config/operations-config.ts";
import { registerRateLimiter } from "../rate-limit/rate-limiter.ts";
import { tokenRateLimitRule } from "../rate-limit/token-rate-limit-rule.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The token route's `config.rateLimit`: per user, or per instance for relayed requests. */
    tokenRateLimit: RateLimitOptions;
  }
}

export interface RateLimitPluginOptions {
  readonly service: ServiceName;
  readonly operations: OperationsConfig;
}

/**
 * Rate limits on the token endpoint, counted in Redis when REDIS_URL is set (one count for
 * every replica), in memory otherwise. When Redis fails the request is served anyway: token
 * issuance never stops because of the limiter.
 */
export const tokenRateLimits = fp<RateLimitPluginOptions>(
  async (app, { service, operations }) => {
    await registerRateLimiter(app, {
      redis: operations.redis,
      namespace: service,
      tooManyRequests: () => new BrokerError("too_many_requests"),
      onExceeded: (request: FastifyRequest) => {
        request.tokenOutcome = "rate_limited";
      },
    });

    const rule = tokenRateLimitRule(service, operations.rateLimits);
    app.decorate("tokenRateLimit", {
      keyGenerator: (request: FastifyRequest) => rule(request).key,
      max: (request: FastifyRequest) => rule(request).max,
      // A limit of 0 is no limit (and no RateLimit headers).
      allowList: (request: FastifyRequest) => rule(request).max === 0,
    });
  },
  { name: "token-rate-limits", dependencies: ["metrics"] },
);
