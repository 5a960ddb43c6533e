import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";

/**
 * Verifies a code-suggestions JWT as the AI gateway would: keys only from the JWKS that
 * SaaS's discovery document points at; RS256, audience, issuer and time window checked.
 */
export async function verifyCodeSuggestionsToken(token: string, saasUrl: string) {
  const discovery = (await (await fetch(`${saasUrl}/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(token, keys, {
    issuer: discovery.issuer,
    audience: "gitlab-code-suggestions",
    algorithms: ["RS256"],
  });
  return { payload: payload as JWTPayload & Record<string, unknown>, header: protectedHeader };
}

export { decodeProtectedHeader };
