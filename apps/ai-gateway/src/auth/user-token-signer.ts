import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { GatewayKey } from "./gateway-key.ts";
import { GATEWAY_AUDIENCE, GATEWAY_ISSUER } from "./token-verifier.ts";

/** User tokens live an hour, as GitLab's. */
const USER_TOKEN_LIFE_S = 3600;
/** The contract's `nbf`: now − 5 s, for verifiers whose clocks run a little behind. */
const NOT_BEFORE_SKEW_S = 5;

export interface UserTokenClaims {
  readonly globalUserId: string;
  readonly instanceId: string;
  readonly realm: string;
}

/** Signs the user tokens of direct access: the editor then talks to the gateway itself. */
export function createUserTokenSigner(key: GatewayKey) {
  return async ({ globalUserId, instanceId, realm }: UserTokenClaims) => {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + USER_TOKEN_LIFE_S;
    const token = await new SignJWT({
      gitlab_realm: realm,
      gitlab_instance_id: instanceId,
      scopes: ["complete_code"],
    })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(GATEWAY_ISSUER)
      .setAudience(GATEWAY_AUDIENCE)
      .setSubject(globalUserId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now - NOT_BEFORE_SKEW_S)
      .setExpirationTime(expiresAt)
      .sign(key.privateKey);
    return { token, expires_at: expiresAt };
  };
}

export type UserTokenSigner = ReturnType<typeof createUserTokenSigner>;
