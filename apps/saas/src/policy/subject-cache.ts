import type { PrismaClient } from "@token-broker/db";
import type { CacheLookupRecorder, ChangeFeed } from "@token-broker/instance";
import { createLoadingCache } from "@token-broker/instance";
import type { CodeSuggestionsSubject } from "@token-broker/policy";
import { loadCodeSuggestionsSubject } from "./code-suggestions-subject.ts";

const MAX_USERS = 20_000;
// Editors ask for a token about once an hour: entries must outlive that to serve the next
// request. Changes never wait for this (notifications drop entries at once); it bounds how
// long an entry could survive a change if a notification were ever lost unnoticed.
const TTL_MS = 2 * 60 * 60 * 1000;

/**
 * Each user's preference and root groups, kept until the user, one of their memberships or
 * any group changes (a group's settings decide for all its members and subgroups' members).
 */
export function createSubjectCache(
  prisma: PrismaClient,
  feed: ChangeFeed,
  onLookup?: CacheLookupRecorder,
) {
  const cache = createLoadingCache<number, CodeSuggestionsSubject>({
    feed,
    load: (userId) => loadCodeSuggestionsSubject(prisma, userId),
    maxEntries: MAX_USERS,
    ttlMs: TTL_MS,
    onLookup,
  });
  feed.on("users", (id) => cache.delete(Number(id)));
  feed.on("group_members", (userId) => cache.delete(Number(userId)));
  feed.on("groups", () => cache.clear());
  return (userId: number) => cache.get(userId);
}
