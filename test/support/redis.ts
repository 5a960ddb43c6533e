import { randomBytes } from "node:crypto";

/** The Redis of the machine (CI makes sure it answers). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Rate-limit settings on the shared Redis, with keys no other test (or run) uses. */
export function redisEnv(url = REDIS_URL): Record<string, string> {
  return { REDIS_URL: url, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString("hex")}:` };
}
