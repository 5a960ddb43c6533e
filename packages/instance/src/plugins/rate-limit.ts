import { once } from "node:events";
import rateLimit, { type RateLimitOptions } from "@fastify/rate-limit";
import type { OperationsConfig, ServiceName } from "@token-broker/config";
import { BrokerError } from "@token-broker/errors";
import type { FastifyRequest, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import { Redis } from "ioredis";
import {
  limitOf,
  type PrincipalLimitRule,
  principalRateLimitKey,
  USER_TOKENS_BUCKET,
} from "../rate-limit/principal-rate-limit.ts";
import { redisStore } from "../rate-limit/redis-store.ts";
import { throttledWarning } from "../rate-limit/throttled-warning.ts";

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

const WINDOW_MS = 60_000;
// In-memory counters: enough keys for every user active in a window (oldest dropped first).
const LOCAL_KEYS = 100_000;
// A token request waits at most this long for Redis before it is served without a limit.
const REDIS_TIMEOUT_MS = 250;
const WARNING_INTERVAL_MS = 60_000;

export interface RateLimitPluginOptions {
  readonly service: ServiceName;
  readonly operations: OperationsConfig;
}

/**
 * Rate limits of the routes that ask for them (the token endpoints), each counted per
 * authenticated user and bucket (principalRateLimit), in Redis when REDIS_URL is set (one
 * count for every replica), in memory otherwise. When Redis fails the request is served
 * anyway: token issuance never stops because of the limiter.
 */
export const tokenRateLimits = fp<RateLimitPluginOptions>(
  async (app, { service, operations }) => {
    const { redis } = operations;
    const warn = throttledWarning(
      app.log,
      "rate limits not enforced: their Redis does not answer",
      WARNING_INTERVAL_MS,
    );
    let store: RateLimitOptions["store"];
    if (redis !== undefined) {
      const client = new Redis(redis.url, {
        // Fail at once instead of queueing requests while Redis is away.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: REDIS_TIMEOUT_MS,
        connectTimeout: 1_000,
      });
      client.on("error", warn);
      app.addHook("onClose", async () => client.disconnect());
      store = redisStore(client, `${redis.keyPrefix}rate-limit:${service}:`, {
        onError: (error) => {
          app.metrics.rateLimitStoreErrors.inc();
          warn(error);
        },
        maxQueueMs: REDIS_TIMEOUT_MS,
      });
      // Counting starts with the first request when Redis is there; a Redis that is not
      // does not hold the start (requests are served without a limit until it answers).
      await Promise.race([once(client, "ready"), once(client, "error")]).catch(() => {});
    }

    await app.register(rateLimit, {
      global: false,
      // Runs after authentication, whatever hook that is: the key is the authenticated user.
      hook: "preHandler",
      timeWindow: WINDOW_MS,
      // RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (and Retry-After).
      enableDraftSpec: true,
      skipOnError: true,
      cache: LOCAL_KEYS,
      store,
      errorResponseBuilder: () => new BrokerError("too_many_requests"),
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
