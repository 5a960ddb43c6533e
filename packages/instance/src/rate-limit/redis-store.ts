import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { Redis } from "ioredis";

// One round trip, atomic: the first request of a window starts it (a fixed window); every
// replica counts in the same key.
const INCREMENT_IN_WINDOW = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {current, redis.call('PTTL', KEYS[1])}
`;

type IncrementInWindow = (
  key: string,
  windowMs: number,
  callback: (error: Error | null | undefined, result?: [number, number]) => void,
) => void;

/**
 * @fastify/rate-limit's store over ioredis. Its own RedisStore hides failures when told to
 * skip them (fail open), and the contract wants each one counted and reported: this store
 * tells `onError` before passing the failure on.
 */
export function redisStore(
  client: Redis,
  keyPrefix: string,
  onError: (error: Error) => void,
): FastifyRateLimitStoreCtor {
  client.defineCommand("incrementInWindow", { numberOfKeys: 1, lua: INCREMENT_IN_WINDOW });
  const incrementInWindow = (
    client as unknown as { incrementInWindow: IncrementInWindow }
  ).incrementInWindow.bind(client);

  return class RedisCounterStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: Parameters<FastifyRateLimitStore["incr"]>[1],
      timeWindow: number,
    ): void {
      incrementInWindow(`${keyPrefix}${key}`, timeWindow, (error, result) => {
        if (error || result === undefined) {
          const failure = error ?? new Error("no answer from Redis");
          onError(failure);
          return callback(failure);
        }
        // A window that has just ended reports no time left: count it as a whole new one.
        const [current, ttl] = result;
        callback(null, { current, ttl: ttl > 0 ? ttl : timeWindow });
      });
    }

    // Route keys carry their own namespace (see the token rule): routes share one store.
    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
