import type { PrismaClient } from "@token-broker/db";
import type { CacheLookupRecorder, ChangeFeed } from "@token-broker/instance";
import { createLoadingCache, USER_CACHE_BOUNDS } from "@token-broker/instance";
import type { CodeSuggestionsSubject } from "@token-broker/policy";
import { loadCodeSuggestionsSubject } from "./code-suggestions-subject.ts";

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
    ...USER_CACHE_BOUNDS,
    onLookup,
  });
  feed.on("users", (id) => cache.delete(Number(id)));
  feed.on("group_members", (userId) => cache.delete(Number(userId)));
  feed.on("groups", () => cache.clear());
  return (userId: number) => cache.get(userId);
}
