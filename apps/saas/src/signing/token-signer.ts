import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { ALGORITHM } from "./key-ring.ts";
import type { LiveKeyRing } from "./live-key-ring.ts";

export const AUDIENCE = "gitlab-code-suggestions";
export const TOKEN_LIFETIME_SECONDS = 3600;
/** Tolerance for verifiers whose clock is slightly behind. */
export const NOT_BEFORE_LEEWAY_SECONDS = 5;

export type GitlabRealm = "saas" | "self-managed";

export interface TokenGrant {
  readonly realm: GitlabRealm;
  readonly thirdPartyAiFeaturesEnabled: boolean;
}

export interface SignedToken {
  readonly access_token: string;
  readonly expires_in: number;
  readonly created_at: number;
}

export type SignToken = (grant: TokenGrant) => Promise<SignedToken>;

/**
 * Signs code-suggestions JWTs with the ring's signing key: RS256, a `kid` header, and
 * exactly the claims of docs/token-api.md (The JWT).
 */
export function createTokenSigner(options: {
  keys: LiveKeyRing;
  issuer: string;
  now?: () => number;
}): SignToken {
  const { keys, issuer } = options;
  const now = options.now ?? Date.now;
  return async (grant) => {
    const { signing } = await keys.get();
    const issuedAt = Math.floor(now() / 1000);
    const accessToken = await new SignJWT({
      gitlab_realm: grant.realm,
      third_party_ai_features_enabled: grant.thirdPartyAiFeaturesEnabled,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: signing.kid })
      .setJti(randomUUID())
      .setAudience(AUDIENCE)
      .setIssuer(issuer)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt - NOT_BEFORE_LEEWAY_SECONDS)
      .setExpirationTime(issuedAt + TOKEN_LIFETIME_SECONDS)
      .sign(signing.privateKey);
    return { access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS, created_at: issuedAt };
  };
}
