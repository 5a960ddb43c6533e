import { randomUUID } from "node:crypto";
import { type JWTPayload, SignJWT } from "jose";
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

/** What every token SaaS signs varies by: its audience, its own claims and its life. */
export interface JwtContent {
  readonly audience: string | string[];
  readonly claims: JWTPayload;
  readonly lifetimeSeconds: number;
}

export interface SignedJwt {
  readonly jwt: string;
  /** `iat`, Unix seconds. */
  readonly issuedAt: number;
  /** `exp`, Unix seconds. */
  readonly expiresAt: number;
}

export type SignJwt = (content: JwtContent) => Promise<SignedJwt>;

/**
 * The one place SaaS signs a JWT, whatever its kind: the ring's signing key, RS256, a `kid`
 * header, `typ` JWT, a random `jti`, `iat` now and `nbf` a little before, `iss` SaaS.
 */
export function createJwtSigner(options: {
  keys: LiveKeyRing;
  issuer: string;
  now?: () => number;
}): SignJwt {
  const { keys, issuer } = options;
  const now = options.now ?? Date.now;
  return async ({ audience, claims, lifetimeSeconds }) => {
    const { signing } = await keys.get();
    const issuedAt = Math.floor(now() / 1000);
    const expiresAt = issuedAt + lifetimeSeconds;
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: signing.kid })
      .setJti(randomUUID())
      .setAudience(audience)
      .setIssuer(issuer)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt - NOT_BEFORE_LEEWAY_SECONDS)
      .setExpirationTime(expiresAt)
      .sign(signing.privateKey);
    return { jwt, issuedAt, expiresAt };
  };
}

/** Signs the legacy code-suggestions JWTs: exactly the claims of docs/token-api.md (The JWT), 1 h. */
export function createTokenSigner(sign: SignJwt): SignToken {
  return async (grant) => {
    const { jwt, issuedAt } = await sign({
      audience: AUDIENCE,
      claims: {
        gitlab_realm: grant.realm,
        third_party_ai_features_enabled: grant.thirdPartyAiFeaturesEnabled,
      },
      lifetimeSeconds: TOKEN_LIFETIME_SECONDS,
    });
    return { access_token: jwt, expires_in: TOKEN_LIFETIME_SECONDS, created_at: issuedAt };
  };
}
