import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { Redis } from "ioredis";

// One round trip for a whole batch, atomic for each key: the first request of a window starts
// it (a fixed window); every replica counts in the same key. KEYS[i] is counted in a window of
// ARGV[i] ms; the answer is each key's count and time left, in order. A key twice in a batch
// is counted twice, each request getting its own count.
const INCREMENT_IN_WINDOWS = `
local answers = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('INCR', key)
  if current == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  answers[2 * i - 1] = current
  answers[2 * i] = redis.call('PTTL', key)
end
return answers
`;

/** At most this many increments in one script call: Redis runs a script without a pause. */
export const MAX_BATCH = 256;

type IncrementInWindows = (
  numberOfKeys: number,
  ...args: [...(string | number)[], (error: Error | null | undefined, result?: number[]) => void]
) => void;

type Callback = Parameters<FastifyRateLimitStore["incr"]>[1];

interface Increment {
  readonly key: string;
  readonly windowMs: number;
  readonly callback: Callback;
  /** When it joined the queue (performance.now()). */
  readonly queuedAt: number;
}

export interface RedisStoreOptions {
  /** Told of every request served without a limit because Redis failed it. */
  readonly onError: (error: Error) => void;
  /**
   * The longest a request waits in the queue for its batch to be sent (Redis's command
   * timeout): one that waited longer is served without a limit, so a slow Redis that still
   * answers cannot make waits (or the queue) grow without end.
   */
  readonly maxQueueMs: number;
}

/**
 * @fastify/rate-limit's store over ioredis. Its own RedisStore hides failures when told to
 * skip them (fail open), and docs/operations.md wants each one counted and reported: this store
 * tells `onError` (once per request) before passing the failure on.
 *
 * Increments go to Redis in batches, as a database commits a group: one script call is on
 * the wire at a time, and the requests arriving meanwhile go together in the next. A request
 * still waits for its own increment, counted in Redis, before its decision: the limit stays
 * exact and shared by every replica, while a busy process pays one round trip (one write, one
 * read, one script run in Redis) for many requests rather than one each. ioredis's
 * auto-pipelining only joins commands of one tick, which under load are rarely more than
 * one, and still runs one script per request.
 */
export function redisStore(
  client: Redis,
  keyPrefix: string,
  { onError, maxQueueMs }: RedisStoreOptions,
): FastifyRateLimitStoreCtor {
  client.defineCommand("incrementInWindows", { lua: INCREMENT_IN_WINDOWS });
  const incrementInWindows = (
    client as unknown as { incrementInWindows: IncrementInWindows }
  ).incrementInWindows.bind(client);

  let waiting: Increment[] = [];
  let onTheWire = false;
  let scheduled = false;

  const fail = (batch: readonly Increment[], error: Error) => {
    for (const { callback } of batch) {
      onError(error);
      callback(error);
    }
  };

  const send = () => {
    scheduled = false;
    if (onTheWire || waiting.length === 0) return;
    // The queue is in arrival order: those that waited too long are at its head.
    const oldest = performance.now() - maxQueueMs;
    let expired = 0;
    while (expired < waiting.length && (waiting[expired] as Increment).queuedAt < oldest) {
      expired += 1;
    }
    if (expired > 0) {
      fail(waiting.splice(0, expired), new Error("Redis is too slow: queued past its timeout"));
      if (waiting.length === 0) return;
    }
    const batch = waiting.splice(0, MAX_BATCH);
    onTheWire = true;
    const keys = batch.map(({ key }) => `${keyPrefix}${key}`);
    const windows = batch.map(({ windowMs }) => windowMs);
    incrementInWindows(batch.length, ...keys, ...windows, (error, result) => {
      onTheWire = false;
      try {
        if (error || !Array.isArray(result) || result.length !== 2 * batch.length) {
          // Redis failed this batch (down, or no answer within the command timeout): the
          // requests waiting behind it are served without a limit now rather than each
          // waiting for a timeout of its own, one batch after another.
          const behind = waiting;
          waiting = [];
          fail([...batch, ...behind], error ?? new Error("no answer from Redis"));
          return;
        }
        batch.forEach(({ windowMs, callback }, i) => {
          const current = Number(result[2 * i]);
          const ttl = Number(result[2 * i + 1]);
          // A window that has just ended reports no time left: count it as a whole new one.
          callback(null, { current, ttl: ttl > 0 ? ttl : windowMs });
        });
      } finally {
        send();
      }
    });
  };

  return class RedisCounterStore implements FastifyRateLimitStore {
    incr(key: string, callback: Callback, timeWindow: number): void {
      waiting.push({ key, windowMs: timeWindow, callback, queuedAt: performance.now() });
      // Sent once this turn's I/O is processed (its requests join), unless a batch is out:
      // its answer sends the next.
      if (!onTheWire && !scheduled) {
        scheduled = true;
        setImmediate(send);
      }
    }

    // Route keys carry their own namespace (see the token rule): routes share one store.
    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
