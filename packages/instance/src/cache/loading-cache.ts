import { LRUCache } from "lru-cache";
import type { CacheLookupRecorder } from "../metrics/instance-metrics.ts";
import type { ChangeFeed } from "./change-feed.ts";

export interface LoadingCache<K, V> {
  /** The cached value once the feed is fresh for this request, otherwise the database's. */
  get(key: K): Promise<V>;
  delete(key: K): void;
  deleteWhere(predicate: (value: V) => boolean): void;
  clear(): void;
}

export interface LoadingCacheOptions<K, V> {
  readonly feed: ChangeFeed;
  readonly load: (key: K) => Promise<V>;
  /** Bound on memory; the least recently used entries go first. */
  readonly maxEntries: number;
  /** A safety net: entries are reloaded at least this often even without notifications. */
  readonly ttlMs: number;
  /** Values worth keeping (e.g. not an unknown token). */
  readonly keep?: (value: V) => boolean;
  /** Told whether each lookup was answered from memory (the cache metrics). */
  readonly onLookup?: CacheLookupRecorder;
}

/**
 * Values read from the database, kept until a change notification says they changed.
 * A load that overlapped a change is answered but not kept; concurrent misses for one key
 * share one load, until a change makes newer requests load again.
 */
export function createLoadingCache<K extends {}, V>(
  options: LoadingCacheOptions<K, V>,
): LoadingCache<K, V> {
  const { feed, load, maxEntries, ttlMs } = options;
  const keep = options.keep ?? (() => true);
  const onLookup = options.onLookup ?? (() => {});
  // Boxed: the library cannot store null, and an unknown token may be a value worth keeping.
  const entries = new LRUCache<K, { readonly value: V }>({ max: maxEntries, ttl: ttlMs });
  // Not the library's fetch(): it shares a load under way with every later caller and keeps
  // its result, where a change must start new loads and keep none that overlapped it.
  let pending = new Map<K, Promise<V>>();
  let pendingGeneration = feed.generation;

  const cache: LoadingCache<K, V> = {
    async get(key) {
      if (!(await feed.fresh())) {
        onLookup("miss");
        return load(key);
      }
      const entry = entries.get(key);
      if (entry !== undefined) {
        onLookup("hit");
        return entry.value;
      }
      onLookup("miss");
      if (pendingGeneration !== feed.generation) {
        // Loads under way may have read what a change has since replaced.
        pending = new Map();
        pendingGeneration = feed.generation;
      }
      const shared = pending.get(key);
      if (shared !== undefined) return shared;
      const generation = feed.generation;
      const loading = load(key).then((value) => {
        if (feed.generation === generation && keep(value)) entries.set(key, { value });
        return value;
      });
      const settle = () => {
        if (pending.get(key) === loading) pending.delete(key);
      };
      loading.then(settle, settle);
      pending.set(key, loading);
      return loading;
    },
    delete(key) {
      entries.delete(key);
    },
    deleteWhere(predicate) {
      // Collected first: the library does not promise that deleting while iterating is safe.
      const matching = [...entries.entries()].filter(([, entry]) => predicate(entry.value));
      for (const [key] of matching) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
  feed.onReset(() => cache.clear());
  return cache;
}
