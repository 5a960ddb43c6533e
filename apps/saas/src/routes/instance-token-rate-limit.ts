import type { FastifyInstance, FastifyRequest } from "fastify";

/** A route's `config.rateLimit`, as the instance's token rate limits take it. */
type RateLimitOptions = FastifyInstance["tokenRateLimit"];

/**
 * The instance-token bucket of a SaaS service account: every instance-token request made
 * with it counts here. The key is the authenticated user alone: the instance id is the
 * caller's to choose, so keying on it would give a caller a fresh bucket per id it invents.
 * The rule of relayed legacy token requests (a service account's bucket), in a bucket of its
 * own: a burst of legacy requests never starves the instance's token refresh, nor it them.
 */
export function serviceAccountBucket(userId: number): string {
  return `instance_token:user:${userId}`;
}

/** `config.rateLimit` of the instance-token route: TOKENS_RATE_LIMIT_PER_INSTANCE a minute. */
export function instanceTokenRateLimit(perInstance: number): RateLimitOptions {
  return {
    keyGenerator: (request: FastifyRequest) => serviceAccountBucket(request.principal.user.id),
    max: perInstance,
    // A limit of 0 is no limit (and no RateLimit headers), as on the legacy route.
    allowList: () => perInstance === 0,
  };
}
