import type { IncomingHttpHeaders } from "node:http";
import replyFrom from "@fastify/reply-from";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import { CodeSuggestionsToken, gitlabErrors, type TokenOutcome } from "@token-broker/instance";
import { decideSelfManagedTokenRequest, isProxiedRequest } from "@token-broker/policy";
import { upstreamFailure } from "../saas-proxy/upstream-errors.ts";
import { relayedResponseHeaders, upstreamHeaders } from "../saas-proxy/upstream-request.ts";

const TOKENS_PATH = "/api/v4/code_suggestions/tokens";

export interface CodeSuggestionsTokensOptions {
  readonly saasUrl: string;
  readonly saasTimeoutMs: number;
  /** This instance's host name, sent to SaaS as X-Gitlab-Host-Name. */
  readonly hostName: string;
}

interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What SaaS's answer means for the token metrics (its refusal reasons stay on SaaS). */
function relayedOutcome(statusCode: number): TokenOutcome {
  if (statusCode >= 200 && statusCode < 300) return "issued";
  return statusCode === 429 ? "rate_limited" : "upstream_error";
}

/**
 * `POST /api/v4/code_suggestions/tokens` on a self-managed instance: its own checks, then
 * the request streamed to SaaS with the service account's token (GitLab did this with
 * Workhorse's send_url), and SaaS's answer streamed back.
 */
export const codeSuggestionsTokensRoutes: FastifyPluginAsyncTypebox<
  CodeSuggestionsTokensOptions
> = async (app, { saasUrl, saasTimeoutMs, hostName }) => {
  const saas = new URL(saasUrl);
  // The stored service token, decrypted once per stored value rather than per request.
  let decrypted: { ciphertext: string; token: string } | undefined;
  const decryptServiceToken = (ciphertext: string): string => {
    if (decrypted?.ciphertext !== ciphertext) {
      decrypted = { ciphertext, token: app.secretBox.decrypt(ciphertext) };
    }
    return decrypted.token;
  };
  const saasRequestDuration = app.metrics.saasRequestDuration();
  // SAAS_URL may carry a path (a relative URL root): requests go below it.
  const upstreamPath = `${saas.pathname.replace(/\/+$/, "")}${TOKENS_PATH}`;
  await app.register(replyFrom, {
    base: saas.origin,
    disableRequestLogging: true,
    undici: {
      headersTimeout: saasTimeoutMs,
      bodyTimeout: saasTimeoutMs,
      // reply-from turns certificate verification off unless told otherwise; the service
      // token must only ever reach the real SaaS.
      connect: { timeout: saasTimeoutMs, rejectUnauthorized: true },
    },
  });

  // Stream the client's body through untouched instead of parsing it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

  app.post(
    TOKENS_PATH,
    {
      schema: {
        summary: "Create a code-suggestions access token through SaaS",
        tags: ["code_suggestions"],
        response: {
          201: CodeSuggestionsToken,
          ...gitlabErrors(400, 401, 403, 404, 429, 502, 504),
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
        proxied: isProxiedRequest({
          userAgent: request.headers["user-agent"],
          realm: header(request.headers["x-gitlab-realm"]),
        }),
      });
      if (!decision.allowed) {
        request.tokenOutcome = decision.reason;
        throw new BrokerError(decision.reason, decision.detail);
      }
      // The decision required a stored token; this narrows its type.
      const encryptedToken = settings.encryptedAiAccessToken ?? "";
      const identity = {
        aiAccessToken: decryptServiceToken(encryptedToken),
        instanceId: settings.instanceUuid,
        hostName,
        requestId: request.id,
      };
      const sentAt = performance.now();
      const saasAnswered = (status: number | "error") =>
        saasRequestDuration.observe({ status }, (performance.now() - sentAt) / 1000);
      return reply.from(upstreamPath, {
        method: "POST",
        // Never forward the client's query string: it may hold private_token.
        queryString: () => "",
        rewriteRequestHeaders: (_request, prepared) => upstreamHeaders(identity, prepared),
        rewriteHeaders: (headers) => relayedResponseHeaders(headers),
        onResponse: (_request, proxied, upstream) => {
          // reply-from hands over { statusCode, headers, stream } whatever its typing says.
          const { statusCode, headers } = upstream as unknown as UpstreamResponse;
          saasAnswered(statusCode);
          request.tokenOutcome = relayedOutcome(statusCode);
          request.logFields = {
            upstreamStatus: statusCode,
            saasRequestId: headers["x-request-id"],
          };
          proxied.send(upstream.stream);
        },
        // The error handler answers it from the catalogue, and logs it.
        onError: (proxied, { error }) => {
          saasAnswered("error");
          request.tokenOutcome = "upstream_error";
          proxied.send(upstreamFailure(error));
        },
      });
    },
  );
};
