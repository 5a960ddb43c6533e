import type { Dispatcher } from "undici";
import { saasTarget } from "../saas-proxy/request-saas-token.ts";
import { networkFailure, type Route } from "./network-failure.ts";
import type { Probe } from "./report.ts";
import { getJson } from "./saas-get.ts";

export interface Saas extends Route {
  readonly dispatcher: Dispatcher;
}

/** SaaS's OpenID discovery document: where its signing keys are published. */
export interface Discovery {
  readonly issuer: string;
  readonly jwks_uri: string;
}

function isDiscovery(body: unknown): body is Discovery {
  const document = body as Partial<Discovery> | null;
  return typeof document?.issuer === "string" && typeof document.jwks_uri === "string";
}

/**
 * `saas_reachable`: SAAS_URL resolves, connects (through the proxy when set) and its TLS
 * verifies; asking for the discovery document proves it, and the token probe needs it.
 */
export async function probeReachable(saas: Saas): Promise<{ probe: Probe; discovery?: Discovery }> {
  const url = saasTarget(saas.saasUrl, "/.well-known/openid-configuration");
  const via = saas.proxyName ? `through the proxy ${saas.proxyName}` : "directly";
  try {
    const { status, body } = await getJson(saas.dispatcher, url, saas.timeoutMs);
    if (!isDiscovery(body)) {
      return {
        probe: {
          name: "saas_reachable",
          success: false,
          message: `${saas.saasUrl} answered ${status} ${via} but is not a GitLab SaaS (no OpenID discovery document at ${url.pathname}): check SAAS_URL`,
        },
      };
    }
    return {
      probe: {
        name: "saas_reachable",
        success: true,
        message: `SaaS at ${saas.saasUrl} answered ${via}`,
      },
      discovery: body,
    };
  } catch (error) {
    return {
      probe: { name: "saas_reachable", success: false, message: networkFailure(error, saas) },
    };
  }
}

const RENEW = "create a new one on SaaS and store it";
const DAY_MS = 24 * 60 * 60 * 1000;
const WARN_DAYS = 30;

interface TokenSelf {
  readonly active: boolean;
  readonly scopes: readonly string[];
  readonly expires_at: string | null;
}

function expiry(expiresAt: string | null, now: Date): { text: string; soon: boolean } {
  if (expiresAt === null) return { text: "it does not expire", soon: false };
  const days = Math.ceil((Date.parse(`${expiresAt}T00:00:00Z`) - now.getTime()) / DAY_MS);
  return {
    text: `the stored ai_access_token expires on ${expiresAt}, in ${days} day${days === 1 ? "" : "s"}`,
    soon: days <= WARN_DAYS,
  };
}

/** `service_token`: SaaS accepts the stored token (`GET /personal_access_tokens/self`). */
export async function probeServiceToken(
  saas: Saas,
  aiAccessToken: string,
  now: Date,
): Promise<Probe> {
  const name = "service_token";
  const url = saasTarget(saas.saasUrl, "/api/v4/personal_access_tokens/self");
  let answer: Awaited<ReturnType<typeof getJson>>;
  try {
    answer = await getJson(saas.dispatcher, url, saas.timeoutMs, {
      authorization: `Bearer ${aiAccessToken}`,
    });
  } catch (error) {
    return { name, success: false, message: networkFailure(error, saas) };
  }
  const { status, body } = answer;
  if (status === 401) {
    const reason = (body as { error_description?: unknown } | null)?.error_description;
    const why = typeof reason === "string" ? ` (${reason.replace(/\.$/, "")})` : "";
    return {
      name,
      success: false,
      message: `SaaS does not accept the stored ai_access_token${why}: ${RENEW}`,
    };
  }
  const token = body as TokenSelf | undefined;
  if (status !== 200 || !Array.isArray(token?.scopes)) {
    return {
      name,
      success: false,
      message: `SaaS answered ${status} when asked about the stored ai_access_token: check SAAS_URL and SaaS's status`,
    };
  }
  if (!token.active) {
    return { name, success: false, message: `the stored ai_access_token is not active: ${RENEW}` };
  }
  if (!token.scopes.includes("api") && !token.scopes.includes("ai_features")) {
    return {
      name,
      success: false,
      message: `the stored ai_access_token has neither the api nor the ai_features scope (it has ${token.scopes.join(", ") || "none"}): create one with ai_features on SaaS and store it`,
    };
  }
  const { text, soon } = expiry(token.expires_at, now);
  return {
    name,
    success: true,
    message: soon
      ? `${text}: ${RENEW}`
      : `SaaS accepts the stored ai_access_token (scopes: ${token.scopes.join(", ")}); ${text}`,
  };
}
