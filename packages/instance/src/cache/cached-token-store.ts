import type { StoredToken, TokenStore } from "@token-broker/auth";
import type { CacheLookupRecorder } from "../metrics/instance-metrics.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { createLoadingCache } from "./loading-cache.ts";

const MAX_TOKENS = 20_000;
// Editors ask for a token about once an hour: entries must outlive that to serve the next
// request. Changes never wait for this (notifications drop entries at once); it bounds how
// long an entry could survive a change if a notification were ever lost unnoticed.
const TTL_MS = 2 * 60 * 60 * 1000;

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
    maxEntries: MAX_TOKENS,
    ttlMs: TTL_MS,
    keep: (token) => token !== null,
    onLookup,
  });
  feed.on("personal_access_tokens", (id) => cache.deleteWhere((token) => token?.id === Number(id)));
  feed.on("users", (id) => cache.deleteWhere((token) => token?.user.id === Number(id)));
  return { findByDigest: (digest) => cache.get(digest) };
}
