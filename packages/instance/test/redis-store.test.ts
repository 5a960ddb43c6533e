import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from "@fastify/rate-limit";
import { freePort } from "@token-broker/testing";
import { type Command, Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_BATCH, redisStore } from "../src/rate-limit/redis-store.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const WINDOW_MS = 60_000;

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

/** A client of the machine's Redis whose script calls are counted (Redis answers them). */
function countingClient(url = REDIS_URL, commandTimeout?: number) {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    ...(commandTimeout === undefined ? {} : { commandTimeout }),
  });
  clients.push(client);
  const counter = { scripts: 0 };
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command: Command, stream?: never) => {
    if (command.name === "evalsha" || command.name === "eval") counter.scripts += 1;
    return send(command, stream);
  };
  return { client, counter };
}

function store(client: Redis, errors: Error[] = [], maxQueueMs = 250): FastifyRateLimitStore {
  const prefix = `test-${randomBytes(6).toString("hex")}:`;
  const Store = redisStore(client, prefix, {
    onError: (error) => errors.push(error),
    maxQueueMs,
  });
  return new Store({} as FastifyRateLimitOptions);
}

function increment(target: FastifyRateLimitStore, key: string, windowMs = WINDOW_MS) {
  return new Promise<{ current: number; ttl: number }>((resolve, reject) => {
    target.incr(
      key,
      (error, result) => (error || !result ? reject(error) : resolve(result)),
      windowMs,
      Number.MAX_SAFE_INTEGER,
    );
  });
}

/**
 * A TCP forwarder to the machine's Redis that can stop passing bytes while keeping its
 * connections open (a Redis that hangs rather than refuses), or pass Redis's answers late
 * (a slow Redis that still answers).
 */
async function forwardedRedis() {
  const target = new URL(REDIS_URL);
  let frozen = false;
  let answerDelayMs = 0;
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.push(client, upstream);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on("data", (chunk) => {
        if (frozen) return;
        if (from === upstream && answerDelayMs > 0) {
          setTimeout(() => to.write(chunk), answerDelayMs);
        } else {
          to.write(chunk);
        }
      });
      from.on("close", () => to.destroy());
      from.on("error", () => to.destroy());
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze() {
      frozen = true;
    },
    delayAnswers(ms: number) {
      answerDelayMs = ms;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe("the Redis counter store", () => {
  it("counts concurrent requests exactly, each its own count, in a window that started with the first", async () => {
    const { client } = countingClient();
    await once(client, "ready");
    const counters = store(client);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => increment(counters, i % 2 === 0 ? "even" : "odd")),
    );
    const counts = (parity: number) =>
      answers
        .filter((_, i) => i % 2 === parity)
        .map(({ current }) => current)
        .sort((a, b) => a - b);
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(counts(0)).toEqual(oneToTwenty);
    expect(counts(1)).toEqual(oneToTwenty);
    for (const { ttl } of answers) {
      expect(ttl).toBeGreaterThan(WINDOW_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(WINDOW_MS);
    }
    // Another store on the same prefix (another replica) continues the same count.
    expect((await increment(counters, "even")).current).toBe(21);
  });

  it("sends the increments of concurrent requests together, never more than a batch in one call", async () => {
    const { client, counter } = countingClient();
    await once(client, "ready");
    const counters = store(client);
    const requests = 3 * MAX_BATCH;
    const answers = await Promise.all(
      Array.from({ length: requests }, () => increment(counters, "busy")),
    );
    expect(answers.map(({ current }) => current).sort((a, b) => a - b)).toEqual(
      Array.from({ length: requests }, (_, i) => i + 1),
    );
    expect(counter.scripts).toBeGreaterThanOrEqual(3);
    expect(counter.scripts).toBeLessThan(requests / 10);
  });

  it("fails the requests waiting behind a batch Redis did not answer in time, without a trip each", async () => {
    const redis = await forwardedRedis();
    try {
      const { client, counter } = countingClient(redis.url, 200);
      client.on("error", () => {});
      await once(client, "ready");
      const errors: Error[] = [];
      const counters = store(client, errors);
      redis.freeze();
      const requests = 3 * MAX_BATCH;
      const settled = await Promise.allSettled(
        Array.from({ length: requests }, () => increment(counters, "stuck")),
      );
      expect(settled.every(({ status }) => status === "rejected")).toBe(true);
      expect(errors).toHaveLength(requests);
      // One batch went out and timed out; the rest never waited for a timeout of their own.
      expect(counter.scripts).toBe(1);
    } finally {
      redis.close();
    }
  });

  it("serves without a limit the requests queued longer than the timeout behind a slow Redis", async () => {
    const redis = await forwardedRedis();
    try {
      const { client, counter } = countingClient(redis.url, 1_000);
      client.on("error", () => {});
      await once(client, "ready");
      const errors: Error[] = [];
      const counters = store(client, errors, 100);
      // Each batch takes 150 ms, under the command timeout: nothing ever times out, and
      // without a bound on queueing the third batch would wait 300 ms to be sent.
      redis.delayAnswers(150);
      const requests = 3 * MAX_BATCH;
      const settled = await Promise.allSettled(
        Array.from({ length: requests }, () => increment(counters, "slow")),
      );
      const served = settled.filter(({ status }) => status === "fulfilled").length;
      expect(served).toBeGreaterThanOrEqual(MAX_BATCH);
      expect(errors).toHaveLength(requests - served);
      expect(counter.scripts).toBeLessThan(3);
    } finally {
      redis.close();
    }
  });

  it("fails every waiting request, each reported, when Redis does not answer", async () => {
    const { client } = countingClient(`redis://127.0.0.1:${await freePort()}`);
    client.on("error", () => {});
    const errors: Error[] = [];
    const counters = store(client, errors);
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => increment(counters, "anyone")),
    );
    expect(settled.map(({ status }) => status)).toEqual(Array(5).fill("rejected"));
    expect(errors).toHaveLength(5);
  });
});
