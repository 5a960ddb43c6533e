import type { CacheLookupRecorder } from "../metrics/instance-metrics.ts";
import type { ChangeFeed } from "./change-feed.ts";

export interface LoadingCache<K, V> {
  /** The cached value when `fresh` (see ChangeFeed.fresh), otherwise loaded from the database. */
  get(key: K, fresh: boolean): Promise<V>;
  delete(key: K): void;
  deleteWhere(predicate: (value: V) => boolean): void;
  clear(): void;
}

export interface LoadingCacheOptions<K, V> {
  readonly feed: ChangeFeed;
  readonly load: (key: K) => Promise<V>;
  /** Bound on memory; the oldest entries go first. */
  readonly maxEntries: number;
  /** A safety net: entries are reloaded at least this often even without notifications. */
  readonly ttlMs: number;
  /** Values worth keeping (e.g. not an unknown token). */
  readonly keep?: (value: V) => boolean;
  /** Told whether each lookup was answered from memory (the cache metrics). */
  readonly onLookup?: CacheLookupRecorder;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * Values read from the database, kept until a change notification says they changed.
 * A load that overlapped a change is answered but not kept; concurrent misses for one key
 * share one load, until a change makes newer requests load again.
 */
export function createLoadingCache<K, V>(options: LoadingCacheOptions<K, V>): LoadingCache<K, V> {
  const { feed, load, maxEntries, ttlMs } = options;
  const keep = options.keep ?? (() => true);
  const onLookup = options.onLookup ?? (() => {});
  const entries = new Map<K, Entry<V>>();
  let pending = new Map<K, Promise<V>>();
  let pendingGeneration = feed.generation;

  const cache: LoadingCache<K, V> = {
    get(key, fresh) {
      if (!fresh) {
        onLookup("miss");
        return load(key);
      }
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > Date.now()) {
        onLookup("hit");
        return Promise.resolve(entry.value);
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
        if (feed.generation === generation && keep(value)) {
          if (entries.size >= maxEntries) {
            const oldest = entries.keys().next();
            if (!oldest.done) entries.delete(oldest.value);
          }
          entries.set(key, { value, expiresAt: Date.now() + ttlMs });
        }
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
      for (const [key, entry] of entries) if (predicate(entry.value)) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
  feed.onReset(() => cache.clear());
  return cache;
}
