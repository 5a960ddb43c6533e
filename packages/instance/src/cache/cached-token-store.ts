import type { StoredToken, TokenStore } from "@token-broker/auth";
import type { CacheLookupRecorder } from "../metrics/instance-metrics.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { createLoadingCache } from "./loading-cache.ts";
import { USER_CACHE_BOUNDS } from "./user-cache-bounds.ts";

/**
 * Tokens by digest, kept in memory until their row or their owner's row changes (revoked,
 * expiry changed, user blocked…). Unknown tokens are not kept.
 */
export function createCachedTokenStore(
  tokens: TokenStore,
  feed: ChangeFeed,
  onLookup?: CacheLookupRecorder,
): TokenStore {
  const cache = createLoadingCache<string, StoredToken | null>({
    feed,
    load: (digest) => tokens.findByDigest(digest),
    ...USER_CACHE_BOUNDS,
    keep: (token) => token !== null,
    onLookup,
  });
  feed.on("personal_access_tokens", (id) => cache.deleteWhere((token) => token?.id === Number(id)));
  feed.on("users", (id) => cache.deleteWhere((token) => token?.user.id === Number(id)));
  return { findByDigest: (digest) => cache.get(digest) };
}
