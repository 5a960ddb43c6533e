import type { FastifyRequest } from "fastify";

/** A counter of requests per minute, and its limit (0: no limit). */
export interface PrincipalLimit {
  /**
   * The counter's name, from a closed set the route chooses (never from the request): each
   * authenticated user has one count per bucket.
   */
  readonly bucket: string;
  readonly max: number;
}

/** One limit for every request of a route, or the limit that fits each request. */
export type PrincipalLimitRule = PrincipalLimit | ((request: FastifyRequest) => PrincipalLimit);

/** The per-user token limit's bucket (TOKENS_RATE_LIMIT_PER_USER). */
export const USER_TOKENS_BUCKET = "tokens:user";

/**
 * Where a request is counted: only what it proved, the authenticated user (a service account
 * for a self-managed instance's requests), goes into the key; no header the client chooses
 * does. Keys therefore grow with authenticated users only, whatever a client sends.
 */
export function principalRateLimitKey(request: FastifyRequest, limit: PrincipalLimit): string {
  return `${limit.bucket}:${request.principal.user.id}`;
}

export function limitOf(rule: PrincipalLimitRule, request: FastifyRequest): PrincipalLimit {
  return typeof rule === "function" ? rule(request) : rule;
}
