import { postToSaas, type SaasFailure, type SaasPost } from "../saas-proxy/post-to-saas.ts";

export const INSTANCE_TOKEN_PATH = "/api/v4/cloud_connector/instance_token";

/** A compact JWS: three base64url parts. Bounded: it is sent in every gateway request. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8 * 1024;
/** SaaS signs for a day at most (INSTANCE_TOKEN_TTL); anything much longer is not SaaS's answer. */
const MAX_LIFETIME_SECONDS = 2 * 86_400;

export type InstanceTokenFetch = (
  | { readonly outcome: "issued"; readonly token: string; readonly expiresAt: number }
  /** SaaS answered with one of its refusals (401, 403, 404, 429): `status` says which. */
  | { readonly outcome: "refused"; readonly status: number }
  | SaasFailure
) & { readonly upstreamStatus?: number; readonly saasRequestId?: string };

const REFUSALS = new Set([400, 401, 403, 404, 429]);

function issuedToken(body: Buffer, nowSeconds: number) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  const { token, expires_at: expiresAt } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || !JWT_SHAPE.test(token)) {
    return undefined;
  }
  if (
    typeof expiresAt !== "number" ||
    !Number.isSafeInteger(expiresAt) ||
    expiresAt <= nowSeconds ||
    expiresAt > nowSeconds + MAX_LIFETIME_SECONDS
  ) {
    return undefined;
  }
  return { token, expiresAt };
}

/**
 * `POST {SAAS_URL}/api/v4/cloud_connector/instance_token` over the token hop (its dispatcher,
 * proxy and CA, its headers: the service token, X-Gitlab-Instance-Id, X-Gitlab-Realm), and
 * SaaS's answer checked: a JWT-shaped token that expires in the future, or a refusal.
 */
export async function fetchInstanceToken(
  request: SaasPost,
  now: () => number = Date.now,
): Promise<InstanceTokenFetch> {
  const exchange = await postToSaas(request, INSTANCE_TOKEN_PATH);
  if (exchange.outcome !== "answered") return exchange;
  const { status, body, upstreamStatus, saasRequestId } = exchange;
  const ids = { upstreamStatus, ...(saasRequestId === undefined ? {} : { saasRequestId }) };
  if (status === 201) {
    const issued = issuedToken(body, Math.floor(now() / 1000));
    if (issued !== undefined) return { outcome: "issued", ...issued, ...ids };
  } else if (REFUSALS.has(status)) {
    return { outcome: "refused", status, ...ids };
  }
  return {
    outcome: "invalid_answer",
    reason: `SaaS answered ${status} without an instance token or a GitLab refusal`,
    ...ids,
  };
}
