import type { PrismaClient } from "@token-broker/db";
import type { StoredToken } from "./token-store.ts";

/** GitLab refreshes a token's last_used_at at most this often. */
export const LAST_USED_INTERVAL_MS = 10 * 60 * 1000;

export interface TokenUsageRecorder {
  /** Notes a use; writes to the database only when the stored time is older than the interval. */
  record(token: StoredToken, now: Date): void;
  /** Waits for writes under way (before closing the database). */
  flush(): Promise<void>;
}

export interface TokenUsageRecorderOptions {
  readonly prisma: PrismaClient;
  readonly onError: (error: unknown) => void;
  readonly intervalMs?: number;
}

export function createTokenUsageRecorder(options: TokenUsageRecorderOptions): TokenUsageRecorder {
  const interval = options.intervalMs ?? LAST_USED_INTERVAL_MS;
  // When this process last wrote each token's time: a cached token record may still show
  // an old value, and must not cause a write per request.
  const writtenAt = new Map<number, number>();
  const pending = new Set<Promise<void>>();

  function forgetOldWrites(now: number): void {
    for (const [id, at] of writtenAt) if (now - at >= interval) writtenAt.delete(id);
  }

  return {
    record(token, now) {
      const at = now.getTime();
      const stored = Math.max(token.lastUsedAt?.getTime() ?? 0, writtenAt.get(token.id) ?? 0);
      if (at - stored < interval) return;
      if (writtenAt.size >= 10_000) forgetOldWrites(at);
      writtenAt.set(token.id, at);
      // Conditional, so replicas seeing the same token do not all write.
      const write = options.prisma.personalAccessToken
        .updateMany({
          where: {
            id: token.id,
            OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(at - interval) } }],
          },
          data: { lastUsedAt: now },
        })
        .then(
          () => undefined,
          (error: unknown) => options.onError(error),
        )
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async flush() {
      await Promise.all(pending);
    },
  };
}
