import { LRUCache } from "lru-cache";
import type { TokenVerifier, Verification } from "./token-verifier.ts";

/** Tokens remembered at once: one per instance, per user of direct access, a few of each. */
const MAX_ENTRIES = 20_000;
/**
 * How long a verified token is believed without checking its signature again. Shorter than
 * the issuers' key sets are cached (24 h), so remembering a token never keeps it valid longer
 * than the key it was signed with would: a key withdrawn from an issuer's set is seen when
 * the set is next fetched, and no later than this after that.
 */
const MAX_AGE_MS = 5 * 60_000;

interface Remembered {
  readonly verification: Verification;
  /** Unix milliseconds: the token's `exp`, or MAX_AGE_MS after it verified if sooner. */
  readonly until: number;
}

/**
 * Remembers the tokens that verified, so that the RSA signature of the same token (an
 * instance token on every completion of its instance, a user token on every direct request)
 * is checked once, not on every request: about a tenth of the gateway's CPU per completion
 * went to it. Only successes are remembered, each until it expires (at most MAX_AGE_MS), keyed
 * by the whole token and the route's audience rule; claims are still matched against the
 * request's headers on every request, and scopes checked by the route.
 */
export function rememberVerifiedTokens(
  verify: TokenVerifier,
  now: () => number = Date.now,
): TokenVerifier {
  const verified = new LRUCache<string, Remembered>({ max: MAX_ENTRIES });
  return async (jwt, options) => {
    const key = `${options.acceptLegacy ? "legacy" : "gateway"}:${jwt}`;
    const known = verified.get(key);
    if (known !== undefined && now() < known.until) return known.verification;
    if (known !== undefined) verified.delete(key);
    const verification = await verify(jwt, options);
    if (verification.ok) {
      const exp = verification.token.claims.exp;
      const until = typeof exp === "number" ? Math.min(exp * 1000, now() + MAX_AGE_MS) : 0;
      if (until > now()) verified.set(key, { verification, until });
    }
    return verification;
  };
}
