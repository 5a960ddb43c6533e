import type { FastifyRequest } from "fastify";
import { GATEWAY_ISSUER, type VerifiedToken } from "./token-verifier.ts";

/** GitLab's global user id, hex(sha256(instance_uuid + user_id)): nothing else is one. */
const GLOBAL_USER_ID = /^[0-9a-f]{64}$/;
/** A claim that names a counter: bounded, visible ASCII only (a UUID, a global user id). */
const KEY_CLAIM = /^[\x21-\x7e]{1,255}$/;

function keyClaim(value: unknown): string | undefined {
  return typeof value === "string" && KEY_CLAIM.test(value) ? value : undefined;
}

function counted(token: VerifiedToken, request: FastifyRequest): readonly string[] {
  const { claims, issuer } = token;
  const subject = keyClaim(claims.sub);
  if (token.kind === "user" && subject !== undefined) {
    // The gateway signed this subject itself: the global user id, one user.
    return ["user", GATEWAY_ISSUER, subject];
  }
  if (token.kind === "issued" && subject !== undefined) {
    // The subject is an instance (SaaS's own for self-issued tokens), already matched to
    // X-Gitlab-Instance-Id. The instance holding the token vouches for its users: the
    // global user id it sends counts within the instance's subject, never across
    // instances. A missing or malformed one is counted with the instance's requests
    // that name no user: refusing it would refuse what GitLab's gateway accepts, and that
    // bucket gives a client that names no user no more than the instance's share.
    const user = request.headers["x-gitlab-global-user-id"];
    return typeof user === "string" && GLOBAL_USER_ID.test(user)
      ? ["issued", issuer, subject, user]
      : ["issued", issuer, subject];
  }
  // A legacy token names no one, but each is signed for one user's request (and its
  // issuer limits how many a user gets): the token, by its `jti`, is the user here. So is
  // any token whose subject is no bounded string. A token without a usable `jti` proves
  // only its issuer: all of them share one count.
  const tokenId = keyClaim(claims.jti);
  return tokenId === undefined ? ["token", issuer] : ["token", issuer, tokenId];
}

/**
 * Where a completion is counted (AI_GATEWAY_RATE_LIMIT_PER_USER): per user, from what the
 * request proved only, as principalRateLimitKey does in the services. The token's issuer
 * and claims are signed; the one header taken, the global user id of an instance's or
 * SaaS's token, is vouched for by the instance that holds the token, and is counted under
 * that instance's subject, bounded to the one shape GitLab gives it. Keys thus grow with
 * signed subjects and their instances' users, whatever else a client sends. JSON keeps the
 * parts apart whatever characters a trusted issuer puts in them.
 */
export function completionRateLimitKey(request: FastifyRequest): string {
  const token = request.gatewayToken;
  if (token === undefined) return "completions:unauthenticated";
  return `completions:${JSON.stringify(counted(token, request))}`;
}
