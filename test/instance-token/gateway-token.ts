import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";

export const INSTANCE_TOKEN_PATH = "/api/v4/cloud_connector/instance_token";

/** POST /api/v4/cloud_connector/instance_token as a self-managed instance sends it. */
export async function requestInstanceToken(
  baseUrl: string,
  token: string | undefined,
  options: {
    instanceId?: string | null;
    realm?: string | null;
    headers?: Record<string, string>;
  } = {},
) {
  const headers = new Headers(options.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  headers.set("content-type", "application/json");
  const instanceId = options.instanceId === undefined ? randomUUID() : options.instanceId;
  if (instanceId !== null) headers.set("x-gitlab-instance-id", instanceId);
  const realm = options.realm === undefined ? "self-managed" : options.realm;
  if (realm !== null) headers.set("x-gitlab-realm", realm);
  const response = await fetch(`${baseUrl}${INSTANCE_TOKEN_PATH}`, { method: "POST", headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body };
}

/**
 * Verifies a token for the AI gateway as the gateway does: keys only from the JWKS that
 * SaaS's discovery document points at; RS256, the gateway's audience, issuer, time window.
 */
export async function verifyGatewayToken(token: string, saasUrl: string) {
  const discovery = (await (await fetch(`${saasUrl}/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(token, keys, {
    issuer: discovery.issuer,
    audience: "gitlab-ai-gateway",
    algorithms: ["RS256"],
  });
  return { payload: payload as JWTPayload & Record<string, unknown>, header: protectedHeader };
}
