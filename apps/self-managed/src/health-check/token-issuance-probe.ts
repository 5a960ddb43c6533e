import { randomUUID } from "node:crypto";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { requestSaasToken } from "../saas-proxy/request-saas-token.ts";
import { networkFailure } from "./network-failure.ts";
import type { Probe } from "./report.ts";
import { getJson } from "./saas-get.ts";
import type { Discovery, Saas } from "./saas-probes.ts";

const AUDIENCE = "gitlab-code-suggestions";

/** What an administrator does about each SaaS refusal (docs/token-api.md, SaaS decision table). */
const REFUSALS: Readonly<Record<number, string>> = {
  401: "SaaS refused to issue a token for this instance (401): on SaaS, turn the feature flag code_suggestions_for_instance_admin_enabled on for the service account, and check that Code Suggestions is on for it and its groups",
  403: "SaaS refused the stored ai_access_token (403): its user may be blocked or the token lacks the ai_features scope; create a new one on SaaS and store it",
  404: "SaaS's token API is off (404): the feature flag code_suggestions_tokens_api is disabled on SaaS",
  429: "SaaS is rate-limiting this instance's token requests (429): try again later, or ask SaaS's operators to raise TOKENS_RATE_LIMIT_PER_INSTANCE",
};

export interface Identity {
  readonly aiAccessToken: string;
  readonly instanceId: string;
  readonly hostName: string;
}

/**
 * `token_issuance`: a proxied token request as users' requests are sent, and the JWT
 * verified with the keys SaaS publishes (issuer and jwks_uri from its discovery document).
 */
export async function probeTokenIssuance(
  saas: Saas,
  identity: Identity,
  discovery: Discovery | undefined,
): Promise<Probe> {
  const name = "token_issuance";
  const result = await requestSaasToken({
    dispatcher: saas.dispatcher,
    saasUrl: saas.saasUrl,
    timeoutMs: saas.timeoutMs,
    identity: { ...identity, requestId: randomUUID() },
  });
  if (result.outcome === "invalid_answer") {
    return {
      name,
      success: false,
      message: `SaaS answered ${result.upstreamStatus ?? "nothing usable"} instead of a token: check SaaS's status and logs (request id ${result.saasRequestId ?? "unknown"})`,
    };
  }
  if (result.outcome !== "relayed") {
    return { name, success: false, message: networkFailure(result.error, saas) };
  }
  const { status, body } = result.answer;
  if (status !== 201) {
    return { name, success: false, message: REFUSALS[status] ?? `SaaS answered ${status}` };
  }
  if (discovery === undefined) {
    return {
      name,
      success: false,
      message: "SaaS issued a token, but its signing keys could not be read: see saas_reachable",
    };
  }
  const { access_token: jwt } = JSON.parse(body.toString("utf8")) as { access_token: string };
  try {
    const jwks = await getJson(saas.dispatcher, new URL(discovery.jwks_uri), saas.timeoutMs);
    if (jwks.status !== 200 || jwks.body === undefined) {
      return {
        name,
        success: false,
        message: `SaaS's signing keys at ${discovery.jwks_uri} answered ${jwks.status}: check SaaS's EXTERNAL_URL`,
      };
    }
    await jwtVerify(jwt, createLocalJWKSet(jwks.body as JSONWebKeySet), {
      issuer: discovery.issuer,
      audience: AUDIENCE,
      algorithms: ["RS256"],
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      name,
      success: false,
      message: code?.startsWith("ERR_J")
        ? `the token SaaS issued does not verify with the keys it publishes at ${discovery.jwks_uri} (${code}): the Code Suggestions service would refuse it; check SaaS's signing keys and EXTERNAL_URL`
        : networkFailure(error, saas),
    };
  }
  return {
    name,
    success: true,
    message: `SaaS issued a token for this instance that verifies with the keys published at ${discovery.jwks_uri}`,
  };
}
