import { once } from "node:events";
import rateLimit, { type RateLimitOptions } from "@fastify/rate-limit";
import type { RedisConfig } from "@token-broker/config";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Redis } from "ioredis";
import { redisStore } from "./redis-store.ts";
import { throttledWarning } from "./throttled-warning.ts";

const WINDOW_MS = 60_000;
// In-memory counters: enough keys for every user active in a window (oldest dropped first).
const LOCAL_KEYS = 100_000;
// A request waits at most this long for Redis before it is served without a limit.
const REDIS_TIMEOUT_MS = 250;
const WARNING_INTERVAL_MS = 60_000;

export interface RateLimiterOptions {
  /** Where the counters live; unset: in this process's memory. */
  readonly redis: RedisConfig | undefined;
  /** The service's part of every key: `<REDIS_KEY_PREFIX>rate-limit:<namespace>:`. */
  readonly namespace: string;
  /** What a request over its limit is answered (the service's catalogue error). */
  readonly tooManyRequests: () => Error;
  readonly onExceeded?: (request: FastifyRequest) => void;
}

/**
 * @fastify/rate-limit for per-minute limits that routes opt into (`config.rateLimit`),
 * counted in Redis when it is configured (one count for every replica), in memory otherwise.
 * When Redis fails the request is served anyway: a limiter never stops a service. Every
 * service registers it the same way; it needs the `metrics` plugin (store failures).
 */
export async function registerRateLimiter(
  app: FastifyInstance,
  { redis, namespace, tooManyRequests, onExceeded }: RateLimiterOptions,
): Promise<void> {
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
    store = redisStore(client, `${redis.keyPrefix}rate-limit:${namespace}:`, {
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
    // Runs after authentication, whatever hook that is: the key is the authenticated subject.
    hook: "preHandler",
    timeWindow: WINDOW_MS,
    // RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (and Retry-After).
    enableDraftSpec: true,
    skipOnError: true,
    cache: LOCAL_KEYS,
    store,
    errorResponseBuilder: tooManyRequests,
    ...(onExceeded ? { onExceeded } : {}),
  });
}
