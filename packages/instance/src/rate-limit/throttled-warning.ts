import type { FastifyBaseLogger } from "fastify";

/**
 * A warning written at most once per interval: while a dependency is down every request
 * would repeat it, and the log would drown what else happens.
 */
export function throttledWarning(log: FastifyBaseLogger, message: string, intervalMs: number) {
  let lastWrittenAt = Number.NEGATIVE_INFINITY;
  return (error: unknown) => {
    const now = Date.now();
    if (now - lastWrittenAt < intervalMs) return;
    lastWrittenAt = now;
    log.warn({ err: error }, message);
  };
}
