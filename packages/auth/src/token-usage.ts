import type { PrismaClient } from "@token-broker/db";
import type { StoredToken } from "./token-store.ts";

/** GitLab refreshes a token's last_used_at at most this often. */
export const LAST_USED_INTERVAL_MS = 10 * 60 * 1000;
/** Uses noted within this window are written together, in one statement. */
const FLUSH_DELAY_MS = 1_000;
const MAX_REMEMBERED = 100_000;

export interface TokenUsageRecorder {
  /** Notes a use; the database learns of it only when its stored time is older than the interval. */
  record(token: StoredToken, now: Date): void;
  /** Writes the uses noted so far (before closing the database). */
  flush(): Promise<void>;
}

export interface TokenUsageRecorderOptions {
  readonly prisma: PrismaClient;
  readonly onError: (error: unknown) => void;
  readonly intervalMs?: number;
}

/**
 * Records last use without a database write per request: a token is written at most once
 * per interval, and the writes of a second are batched into one UPDATE (one commit, not one
 * per token, when many editors start at once).
 */
export function createTokenUsageRecorder(options: TokenUsageRecorderOptions): TokenUsageRecorder {
  const interval = options.intervalMs ?? LAST_USED_INTERVAL_MS;
  // When this process last noted each token: a cached token record may still show an old
  // time, and must not cause a write per request.
  const notedAt = new Map<number, number>();
  let due = new Map<number, Date>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = async (batch: Map<number, Date>) => {
    if (batch.size === 0) return;
    const ids = [...batch.keys()];
    let latest = 0;
    for (const date of batch.values()) latest = Math.max(latest, date.getTime());
    const usedAt = new Date(latest);
    // Conditional, so replicas seeing the same tokens do not all write.
    await options.prisma.personalAccessToken.updateMany({
      where: {
        id: { in: ids },
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(usedAt.getTime() - interval) } }],
      },
      data: { lastUsedAt: usedAt },
    });
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = due;
    due = new Map();
    writing = writing.then(() => write(batch)).catch(options.onError);
    return writing;
  };

  return {
    record(token, now) {
      const at = now.getTime();
      const stored = Math.max(token.lastUsedAt?.getTime() ?? 0, notedAt.get(token.id) ?? 0);
      if (at - stored < interval) return;
      if (notedAt.size >= MAX_REMEMBERED) {
        for (const [id, noted] of notedAt) if (at - noted >= interval) notedAt.delete(id);
      }
      notedAt.set(token.id, at);
      due.set(token.id, now);
      if (timer === undefined) {
        timer = setTimeout(() => void flush(), FLUSH_DELAY_MS);
        timer.unref();
      }
    },
    flush,
  };
}
