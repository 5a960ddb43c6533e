import { decodeJwt, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { GatewayKey } from "./gateway-key.ts";

/** `iss` and `aud` of the tokens the gateway mints itself (direct access). */
export const GATEWAY_ISSUER = "gitlab-ai-gateway";
export const GATEWAY_AUDIENCE = "gitlab-ai-gateway";
/** `aud` of the 16.1–16.2 tokens from `/code_suggestions/tokens`. */
export const LEGACY_AUDIENCE = "gitlab-code-suggestions";
/** The contract allows at most 30 s of clock difference on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 30;
/** A JWT longer than this is no token of ours: it is refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * A verified token: `legacy` (from `/code_suggestions/tokens`: no scopes, no header
 * matching), `issued` (instance or self-issued, signed by a trusted issuer) or `user`
 * (signed by this gateway for direct access).
 */
export interface VerifiedToken {
  readonly kind: "legacy" | "issued" | "user";
  readonly issuer: string;
  readonly claims: JWTPayload;
  readonly scopes: readonly string[];
}

/** Why a token was refused, for the log: never part of an answer (GitLab says less). */
export type RefusalReason =
  | "malformed"
  | "untrusted_issuer"
  | "no_matching_key"
  | "keys_unavailable"
  | "expired"
  | "claims"
  | "signature";

export type Verification =
  | { readonly ok: true; readonly token: VerifiedToken }
  | { readonly ok: false; readonly reason: RefusalReason; readonly error?: unknown };

function refusalReason(error: unknown): RefusalReason {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) return "claims";
  if (error instanceof errors.JWKSNoMatchingKey) return "no_matching_key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature";
  if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
    return "malformed";
  }
  // Discovery or key fetch failed (network, timeout, no keys published).
  return "keys_unavailable";
}

function scopesOf(claims: JWTPayload): string[] {
  const scopes = claims.scopes;
  return Array.isArray(scopes)
    ? scopes.filter((scope): scope is string => typeof scope === "string")
    : [];
}

function audiences(claims: JWTPayload): string[] {
  if (typeof claims.aud === "string") return [claims.aud];
  return Array.isArray(claims.aud) ? claims.aud : [];
}

export interface TokenVerifierOptions {
  /** The key set of a trusted issuer, undefined for any other. */
  readonly issuerKeys: (issuer: string) => JWTVerifyGetKey | undefined;
  readonly gatewayKey: GatewayKey;
}

/**
 * GitLab's AI gateway's token check, with jose: RS256 only, `aud` containing
 * `gitlab-ai-gateway` (or, where the route allows it, the legacy audience), `exp`/`nbf` with
 * 30 s of leeway, and (beyond GitLab) `iss` a trusted issuer or the gateway itself, whose
 * keys alone may verify it: a token naming one issuer is never checked with another's keys.
 */
export function createTokenVerifier({ issuerKeys, gatewayKey }: TokenVerifierOptions) {
  return async (jwt: string, options: { acceptLegacy: boolean }): Promise<Verification> => {
    if (jwt.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
    let issuer: unknown;
    try {
      issuer = decodeJwt(jwt).iss;
    } catch (error) {
      return { ok: false, reason: "malformed", error };
    }
    if (typeof issuer !== "string") return { ok: false, reason: "untrusted_issuer" };
    const own = issuer === GATEWAY_ISSUER;
    const keySet = own ? undefined : issuerKeys(issuer);
    if (!own && keySet === undefined) return { ok: false, reason: "untrusted_issuer" };
    const audience =
      own || !options.acceptLegacy ? [GATEWAY_AUDIENCE] : [GATEWAY_AUDIENCE, LEGACY_AUDIENCE];
    const checks = {
      issuer,
      audience,
      algorithms: ["RS256"],
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["exp"],
    };
    try {
      const { payload } = keySet
        ? await jwtVerify(jwt, keySet, checks)
        : await jwtVerify(jwt, gatewayKey.publicKey, checks);
      const kind = own
        ? "user"
        : audiences(payload).includes(GATEWAY_AUDIENCE)
          ? "issued"
          : "legacy";
      return { ok: true, token: { kind, issuer, claims: payload, scopes: scopesOf(payload) } };
    } catch (error) {
      return { ok: false, reason: refusalReason(error), error };
    }
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
