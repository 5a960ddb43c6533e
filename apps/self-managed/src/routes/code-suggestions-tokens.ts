import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import {
  CodeSuggestionsToken,
  gitlabErrors,
  ignoreBodies,
  type TokenOutcome,
} from "@token-broker/instance";
import {
  decideSelfManagedTokenRequest,
  isProxiedRequest,
  proxyMarkers,
} from "@token-broker/policy";
import type { FastifyReply } from "fastify";
import { saasRequestMetric } from "../metrics/saas-request-metric.ts";
import { requestSaasToken, TOKENS_PATH } from "../saas-proxy/request-saas-token.ts";
import type { SaasHop } from "../saas-proxy/saas-hop.ts";
import { saasFailureError } from "../saas-proxy/upstream-errors.ts";

declare module "@token-broker/instance" {
  interface RequestLogFields {
    /** SaaS's status and request id, when it answered. */
    upstreamStatus?: number;
    saasRequestId?: string;
  }
}

/** What SaaS's answer means for the token metrics (its refusal reasons stay on SaaS). */
function relayedOutcome(statusCode: number): TokenOutcome {
  if (statusCode >= 200 && statusCode < 300) return "issued";
  return statusCode === 429 ? "rate_limited" : "upstream_error";
}

/**
 * `POST /api/v4/code_suggestions/tokens` on a self-managed instance: its own checks, then
 * a request of its own to SaaS with the service account's token (GitLab did this with
 * Workhorse's send_url), and SaaS's answer relayed once checked.
 */
export const codeSuggestionsTokensRoutes: FastifyPluginAsyncTypebox<SaasHop> = async (
  app,
  { saasUrl, timeoutMs, dispatcher, hostName },
) => {
  // The stored service token, decrypted once per stored value rather than per request.
  let decrypted: { ciphertext: string; token: string } | undefined;
  const decryptServiceToken = (ciphertext: string): string => {
    if (decrypted?.ciphertext !== ciphertext) {
      decrypted = { ciphertext, token: app.secretBox.decrypt(ciphertext) };
    }
    return decrypted.token;
  };
  const saasRequestDuration = saasRequestMetric(app.metrics.registry);

  // The endpoint takes no body: none reaches SaaS (docs/token-api.md, Request).
  ignoreBodies(app);

  app.post(
    TOKENS_PATH,
    {
      schema: {
        summary: "Create a code-suggestions access token through SaaS",
        tags: ["code_suggestions"],
        response: {
          201: CodeSuggestionsToken,
          ...gitlabErrors(400, 401, 403, 404, 413, 429, 502, 504),
        },
      },
      config: { scopes: CODE_SUGGESTIONS_SCOPES, rateLimit: app.tokenRateLimit },
      onResponse: app.metrics.countTokenOutcome,
    },
    async (request, reply) => {
      const [features, settings] = await Promise.all([
        app.featureSnapshot(),
        app.applicationSettings(),
      ]);
      const decision = decideSelfManagedTokenRequest({
        features,
        instanceLevelCodeSuggestionsEnabled: settings.instanceLevelCodeSuggestionsEnabled,
        aiAccessTokenSet: settings.encryptedAiAccessToken !== null,
        proxied: isProxiedRequest(proxyMarkers(request.headers)),
      });
      if (!decision.allowed) {
        request.tokenOutcome = decision.reason;
        throw new BrokerError(decision.reason, decision.detail);
      }
      // The decision required a stored token; this narrows its type.
      const encryptedToken = settings.encryptedAiAccessToken ?? "";
      const sentAt = performance.now();
      const result = await requestSaasToken({
        dispatcher,
        saasUrl,
        timeoutMs,
        identity: {
          aiAccessToken: decryptServiceToken(encryptedToken),
          instanceId: settings.instanceUuid,
          hostName,
          requestId: request.id,
        },
      });
      request.logFields = {
        upstreamStatus: result.upstreamStatus,
        saasRequestId: result.saasRequestId,
      };
      saasRequestDuration.observe(
        { status: result.upstreamStatus ?? "error" },
        (performance.now() - sentAt) / 1000,
      );
      if (result.outcome !== "relayed") {
        request.tokenOutcome = "upstream_error";
        throw saasFailureError(result);
      }
      request.tokenOutcome = relayedOutcome(result.answer.status);
      const { status, headers, body } = result.answer;
      // SaaS's bytes as checked, not re-serialized: the schema above documents them.
      const relay = reply as unknown as FastifyReply;
      return relay.code(status).headers(headers).send(body);
    },
  );
};
