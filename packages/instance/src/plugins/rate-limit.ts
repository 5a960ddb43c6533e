import type { RateLimitOptions } from "@fastify/rate-limit";
import type { OperationsConfig, ServiceName } from "@token-broker/config";
import { BrokerError } from "@token-broker/errors";
import type { FastifyRequest, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import {
  limitOf,
  type PrincipalLimitRule,
  principalRateLimitKey,
  USER_TOKENS_BUCKET,
} from "../rate-limit/principal-rate-limit.ts";
import { registerRateLimiter } from "../rate-limit/rate-limiter.ts";

declare module "fastify" {
  interface FastifyInstance {
    /**
     * A protected route's `config.rateLimit` counting each authenticated user (service
     * account) per bucket of the rule: `config: { scopes, rateLimit:
     * app.principalRateLimit({ bucket: "tokens:instance", max }) }`.
     */
    principalRateLimit(rule: PrincipalLimitRule): RateLimitOptions;
    /** `principalRateLimit` of the token endpoint's per-user limit (TOKENS_RATE_LIMIT_PER_USER). */
    tokenRateLimit: RateLimitOptions;
  }
}

export interface RateLimitPluginOptions {
  readonly service: ServiceName;
  readonly operations: OperationsConfig;
}

/**
 * Rate limits of the routes that ask for them (token, completion and direct-access endpoints), each counted per
 * authenticated user and bucket (principalRateLimit), in Redis when REDIS_URL is set (one
 * count for every replica), in memory otherwise. When Redis fails the request is served
 * anyway: token issuance never stops because of the limiter.
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

    // The options principalRateLimit made, so that an unprotected route cannot use them.
    const countingPrincipals = new WeakSet<object>();
    const principalRateLimit = (rule: PrincipalLimitRule): RateLimitOptions => {
      const options: RateLimitOptions = {
        keyGenerator: (request: FastifyRequest) =>
          principalRateLimitKey(request, limitOf(rule, request)),
        max: (request: FastifyRequest) => limitOf(rule, request).max,
        // A limit of 0 is no limit (and no RateLimit headers).
        allowList: (request: FastifyRequest) => limitOf(rule, request).max === 0,
      };
      countingPrincipals.add(options);
      return options;
    };
    // The key is the authenticated user: a route without authentication would have none.
    app.addHook("onRoute", (route: RouteOptions) => {
      const options = route.config?.rateLimit;
      const counted =
        typeof options === "object" && options !== null && countingPrincipals.has(options);
      if (counted && route.config?.scopes === undefined) {
        throw new Error(`${route.method} ${route.url}: principalRateLimit needs config.scopes`);
      }
    });
    app.decorate("principalRateLimit", principalRateLimit);
    app.decorate(
      "tokenRateLimit",
      principalRateLimit({ bucket: USER_TOKENS_BUCKET, max: operations.rateLimits.perUser }),
    );
  },
  { name: "token-rate-limits", dependencies: ["metrics"] },
);
