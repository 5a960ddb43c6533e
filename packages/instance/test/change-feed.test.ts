import { fastifyRequestContext } from "@fastify/request-context";
import type { Database } from "@token-broker/db";
import { openTestDatabase } from "@token-broker/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ChangeFeed, startChangeFeed } from "../src/cache/change-feed.ts";

/** The test database, with its subscription's barriers (freshness round trips) counted. */
function countingBarriers(database: Database) {
  const listen = database.listenToChanges?.bind(database);
  if (listen === undefined) throw new Error("the test database is PostgreSQL: it can listen");
  const counter = { barriers: 0 };
  const counted: Database = {
    ...database,
    async listenToChanges(handlers) {
      const subscription = await listen(handlers);
      return {
        barrier() {
          counter.barriers += 1;
          return subscription.barrier();
        },
        close: () => subscription.close(),
      };
    },
  };
  return { counted, counter };
}

describe("change feed freshness", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let app: FastifyInstance;
  let feed: ChangeFeed;
  let counter: { barriers: number };

  beforeAll(async () => {
    database = await openTestDatabase();
    const counting = countingBarriers(database);
    counter = counting.counter;
    app = Fastify();
    await app.register(fastifyRequestContext);
    feed = await startChangeFeed(counting.counted, app.log);
    // Asked before the body is read (as authentication does) and after (as a route does).
    app.post("/reads", { onRequest: async () => void (await feed.fresh()) }, async () => ({
      fresh: await Promise.all([feed.fresh(), feed.fresh()]),
    }));
    app.get("/no-reads", async () => ({}));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await feed.close();
    await database.close();
  });
  beforeEach(() => {
    counter.barriers = 0;
  });

  it("costs a request one round trip, however many cache reads it makes, before and after its body", async () => {
    const response = await app.inject({ method: "POST", url: "/reads", payload: { any: "body" } });
    expect(response.json()).toEqual({ fresh: [true, true] });
    expect(counter.barriers).toBe(1);
  });

  it("asks again for every request", async () => {
    await app.inject({ method: "POST", url: "/reads", payload: {} });
    await app.inject({ method: "POST", url: "/reads", payload: {} });
    expect(counter.barriers).toBe(2);
  });

  it("costs nothing to a request that reads no cache", async () => {
    expect((await app.inject({ method: "GET", url: "/no-reads" })).statusCode).toBe(200);
    expect(counter.barriers).toBe(0);
  });

  it("outside a request, asks anew on every call", async () => {
    expect(await feed.fresh()).toBe(true);
    expect(await feed.fresh()).toBe(true);
    expect(counter.barriers).toBe(2);
  });
});
