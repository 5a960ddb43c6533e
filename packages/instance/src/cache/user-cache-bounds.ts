/**
 * The bounds of every cache of per-user values (tokens by digest, SaaS's policy subjects),
 * spread into createLoadingCache's options.
 */
export const USER_CACHE_BOUNDS = {
  maxEntries: 20_000,
  // Editors ask for a token about once an hour: entries must outlive that to serve the next
  // request. Changes never wait for this (notifications drop entries at once); it bounds how
  // long an entry could survive a change if a notification were ever lost unnoticed.
  ttlMs: 2 * 60 * 60 * 1000,
} as const;
