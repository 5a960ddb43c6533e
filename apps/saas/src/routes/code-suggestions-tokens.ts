import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import {
  CodeSuggestionsToken,
  denialRefusal,
  gitlabErrors,
  sendRefusal,
} from "@token-broker/instance";
import {
  decideSaasTokenRequest,
  isProxiedRequest,
  thirdPartyAiFeaturesEnabled,
} from "@token-broker/policy";
import { createSubjectCache } from "../policy/subject-cache.ts";
import type { SignToken } from "../signing/token-signer.ts";

export interface CodeSuggestionsTokensOptions {
  readonly sign: SignToken;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /api/v4/code_suggestions/tokens` on SaaS: authentication, the ops flag, the
 * `access_code_suggestions` policy, the instance-admin flag for proxied requests, then a JWT.
 */
export const codeSuggestionsTokensRoutes: FastifyPluginAsyncTypebox<
  CodeSuggestionsTokensOptions
> = async (app, { sign }) => {
  // The endpoint takes no body. Proxies send `Content-Type: application/json` with an empty
  // body, which the default parser would refuse: accept any body here, and ignore it.
  const subjectOf = createSubjectCache(app.database.prisma, app.changeFeed);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "*",
    { parseAs: "buffer", bodyLimit: 64 * 1024 },
    (_request, _body, done) => {
      done(null, undefined);
    },
  );

  app.post(
    "/api/v4/code_suggestions/tokens",
    {
      schema: {
        summary: "Create a code-suggestions access token (JWT)",
        tags: ["code_suggestions"],
        response: { 201: CodeSuggestionsToken, ...gitlabErrors(401, 403, 404) },
      },
      preHandler: app.requireToken(CODE_SUGGESTIONS_SCOPES),
    },
    async (request, reply) => {
      const { user } = request.principal;
      const proxied = isProxiedRequest({
        userAgent: request.headers["user-agent"],
        realm: header(request.headers["x-gitlab-realm"]),
      });
      const fresh = await app.cachesFresh(request);
      const [features, subject] = await Promise.all([
        app.featureSnapshot(request),
        subjectOf(user.id, fresh),
      ]);
      const decision = decideSaasTokenRequest({ userId: user.id, subject, proxied, features });
      if (!decision.allowed) {
        request.log.info(
          { userId: user.id, denial: decision.reason, detail: decision.detail },
          "token refused",
        );
        return sendRefusal(reply, denialRefusal(decision));
      }
      const realm = proxied ? "self-managed" : "saas";
      const token = await sign(
        {
          realm,
          thirdPartyAiFeaturesEnabled: thirdPartyAiFeaturesEnabled(subject.memberships),
        },
        fresh,
      );
      request.logFields = { realm };
      return reply.code(201).header("cache-control", "no-store").send(token);
    },
  );
};
