import { createPrivateKey, createPublicKey, randomUUID } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, type JWTPayload, SignJWT } from "jose";
import { gatewayTestSigningKey } from "./running-gateway.ts";

/**
 * A token signed with the test gateways' own key (AI_GATEWAY_SIGNING_KEY), with the claims
 * a test needs: what the gateway would mint, bent one way. `exp`/`nbf` are offsets from now
 * in seconds.
 */
export async function signedByGateway(
  claims: JWTPayload,
  times: { expiresIn?: number; notBefore?: number } = {},
): Promise<string> {
  const privateKey = createPrivateKey(gatewayTestSigningKey());
  const kid = await calculateJwkThumbprint(await exportJWK(createPublicKey(privateKey)));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: "gitlab-ai-gateway",
    aud: "gitlab-ai-gateway",
    jti: randomUUID(),
    iat: now,
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
    .setNotBefore(now + (times.notBefore ?? -5))
    .setExpirationTime(now + (times.expiresIn ?? 3600))
    .sign(privateKey);
}
