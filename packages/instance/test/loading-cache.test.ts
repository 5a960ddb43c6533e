import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChangeFeed } from "../src/cache/change-feed.ts";
import { createLoadingCache } from "../src/cache/loading-cache.ts";

const TTL_MS = 1_000;

/** The cache's input: a change feed whose changes the test makes happen. */
function fakeFeed() {
  let generation = 0;
  let fresh = true;
  const feed: ChangeFeed = {
    get generation() {
      return generation;
    },
    on: () => {},
    onReset: () => {},
    fresh: async () => fresh,
    close: async () => {},
  };
  return {
    feed,
    change() {
      generation += 1;
    },
    /** As when the notifications are lost: nothing may be answered from memory. */
    stale() {
      fresh = false;
    },
  };
}

/** A cache whose loads answer `key@n` (the n-th load of that key) and are counted. */
function countingCache(maxEntries: number) {
  const { feed, stale } = fakeFeed();
  const loads = new Map<string, number>();
  const cache = createLoadingCache<string, string>({
    feed,
    load: async (key) => {
      const count = (loads.get(key) ?? 0) + 1;
      loads.set(key, count);
      return `${key}@${count}`;
    },
    maxEntries,
    ttlMs: TTL_MS,
  });
  return { cache, stale, loadsOf: (key: string) => loads.get(key) ?? 0 };
}

/** A load the test settles when it wants to. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((onResolve) => {
    resolve = onResolve;
  });
  return { promise, resolve };
}

describe("loading cache", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    // lru-cache reads the time from the global performance object it found when loaded.
    vi.spyOn(performance, "now").mockImplementation(() => Date.now());
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("reloads an expired hot entry, keeps it, and evicts a colder one first", async () => {
    const { cache, loadsOf } = countingCache(3);
    await cache.get("hot");
    vi.advanceTimersByTime(500);
    await cache.get("cold");
    vi.advanceTimersByTime(600);

    expect(await cache.get("hot")).toBe("hot@2");
    expect(await cache.get("hot")).toBe("hot@2");
    await cache.get("third");
    await cache.get("fourth");

    expect(await cache.get("hot")).toBe("hot@2");
    expect(loadsOf("hot")).toBe(2);
    expect(await cache.get("cold")).toBe("cold@2");
  });

  it("at capacity, reloading an entry that is still there evicts no other", async () => {
    const { cache, loadsOf } = countingCache(3);
    await cache.get("first");
    vi.advanceTimersByTime(500);
    await cache.get("second");
    vi.advanceTimersByTime(600);
    await cache.get("first");
    vi.advanceTimersByTime(100);
    await cache.get("third");
    vi.advanceTimersByTime(400);

    // Full, and "second" has expired: its reload must leave the two others in place.
    expect(await cache.get("second")).toBe("second@2");
    expect(await cache.get("first")).toBe("first@2");
    expect(await cache.get("third")).toBe("third@1");
    expect(loadsOf("first") + loadsOf("third")).toBe(3);
  });

  it("reads the database, and keeps nothing, while the feed is not fresh", async () => {
    const { cache, stale, loadsOf } = countingCache(3);
    expect(await cache.get("key")).toBe("key@1");
    stale();
    expect(await cache.get("key")).toBe("key@2");
    expect(await cache.get("other")).toBe("other@1");
    expect(await cache.get("other")).toBe("other@2");
    expect(loadsOf("key") + loadsOf("other")).toBe(4);
  });

  it("answers a load that overlapped a change but does not keep it", async () => {
    const { feed, change } = fakeFeed();
    const loads = [deferred<string>(), deferred<string>()];
    const load = vi.fn(() => (loads[load.mock.calls.length - 1] as (typeof loads)[0]).promise);
    const cache = createLoadingCache<string, string>({ feed, load, maxEntries: 10, ttlMs: TTL_MS });

    const answer = cache.get("key");
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(1));
    change();
    loads[0]?.resolve("before the change");
    expect(await answer).toBe("before the change");

    const reloaded = cache.get("key");
    loads[1]?.resolve("after the change");
    expect(await reloaded).toBe("after the change");
    expect(await cache.get("key")).toBe("after the change");
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("shares one load between concurrent misses, until a change starts a new one", async () => {
    const { feed, change } = fakeFeed();
    const loads = [deferred<string>(), deferred<string>()];
    const load = vi.fn(() => (loads[load.mock.calls.length - 1] as (typeof loads)[0]).promise);
    const cache = createLoadingCache<string, string>({ feed, load, maxEntries: 10, ttlMs: TTL_MS });

    const first = cache.get("key");
    const second = cache.get("key");
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(1));
    change();
    const third = cache.get("key");
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(2));

    loads[0]?.resolve("old");
    loads[1]?.resolve("new");
    expect(await Promise.all([first, second, third])).toEqual(["old", "old", "new"]);
    expect(await cache.get("key")).toBe("new");
    expect(load).toHaveBeenCalledTimes(2);
  });
});
