import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import { CodeSuggestionsToken, gitlabErrors, ignoreBodies } from "@token-broker/instance";
import {
  decideSaasTokenRequest,
  isProxiedRequest,
  proxyMarkers,
  thirdPartyAiFeaturesEnabled,
} from "@token-broker/policy";
import { createSubjectCache } from "../policy/subject-cache.ts";
import { saasTokenLimit } from "../rate-limit/token-limits.ts";
import type { SignToken } from "../signing/token-signer.ts";

declare module "@token-broker/instance" {
  interface RequestLogFields {
    /** The realm the token was issued for. */
    realm?: string;
  }
}

export interface CodeSuggestionsTokensOptions {
  readonly sign: SignToken;
}

/**
 * `POST /api/v4/code_suggestions/tokens` on SaaS: authentication, the ops flag, the
 * `access_code_suggestions` policy, the instance-admin flag for proxied requests, then a JWT.
 */
export const codeSuggestionsTokensRoutes: FastifyPluginAsyncTypebox<
  CodeSuggestionsTokensOptions
> = async (app, { sign }) => {
  const subjectOf = createSubjectCache(
    app.database.prisma,
    app.changeFeed,
    app.metrics.cacheLookups("subjects"),
  );

  // The endpoint takes no body (docs/token-api.md, Request).
  ignoreBodies(app);

  app.post(
    "/api/v4/code_suggestions/tokens",
    {
      schema: {
        summary: "Create a code-suggestions access token (JWT)",
        tags: ["code_suggestions"],
        response: { 201: CodeSuggestionsToken, ...gitlabErrors(401, 403, 404, 429) },
      },
      config: {
        scopes: CODE_SUGGESTIONS_SCOPES,
        rateLimit: app.principalRateLimit(saasTokenLimit(app.config.operations.rateLimits)),
      },
      onResponse: app.metrics.countTokenOutcome,
    },
    async (request, reply) => {
      const { user } = request.principal;
      const proxied = isProxiedRequest(proxyMarkers(request.headers));
      const [features, subject] = await Promise.all([app.featureSnapshot(), subjectOf(user.id)]);
      const decision = decideSaasTokenRequest({ userId: user.id, subject, proxied, features });
      if (!decision.allowed) {
        request.tokenOutcome = decision.reason;
        throw new BrokerError(decision.reason, decision.detail);
      }
      const realm = proxied ? "self-managed" : "saas";
      const token = await sign({
        realm,
        thirdPartyAiFeaturesEnabled: thirdPartyAiFeaturesEnabled(subject.memberships),
      });
      request.logFields = { realm };
      request.tokenOutcome = "issued";
      return reply.code(201).header("cache-control", "no-store").send(token);
    },
  );
};
