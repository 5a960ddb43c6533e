import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import { gitlabErrors } from "@token-broker/instance";
import { Type } from "typebox";
import { requireCodeSuggestions } from "../access.ts";
import { type EditorContext, gatewayUrlOf, identityOf } from "../editor-context.ts";
import { createGatewayDispatcher } from "../gateway/gateway-dispatcher.ts";
import { identityHeaders } from "../gateway/gateway-identity.ts";
import { gatewayToken } from "../gateway/gateway-token.ts";
import { requestUserAccessToken } from "./user-access-token.ts";

export const DIRECT_ACCESS_PATH = "/api/v4/code_suggestions/direct_access";
/** A token is quick to sign: the editor falls back to completions sooner than a completion waits. */
const MAX_TOKEN_WAIT_MS = 10_000;
const BODY_LIMIT = 4 * 1024;

const DirectAccess = Type.Object(
  {
    base_url: Type.String({ description: "the AI gateway the editor connects to" }),
    token: Type.String({ description: "the gateway's user token (JWT)" }),
    expires_at: Type.Integer({ description: "Unix seconds" }),
    headers: Type.Record(Type.String(), Type.String(), {
      description: "the headers the editor sends with the token",
    }),
  },
  { description: "What an editor needs to ask the AI gateway directly" },
);

/**
 * `POST /api/v4/code_suggestions/direct_access`: a user token from the AI gateway and the
 * headers to send with it, so that the editor asks the gateway itself.
 */
export const directAccessRoutes: FastifyPluginAsyncTypebox<{ context: EditorContext }> = async (
  app,
  { context },
) => {
  const timeoutMs = Math.min(MAX_TOKEN_WAIT_MS, context.config.gatewayTimeoutMs);
  const dispatcher = createGatewayDispatcher(timeoutMs);
  app.addHook("onClose", () => dispatcher.close());

  // The language server sends `Content-Type: application/json` with an empty body: that is
  // no body (read as `{}`), not malformed JSON. Anything else is parsed as every JSON body is.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      const text = String(body);
      if (text === "") {
        done(null, {});
        return;
      }
      parseJson(request, text, done);
    },
  );

  app.post(
    DIRECT_ACCESS_PATH,
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: "Details for an editor to ask the AI gateway directly",
        tags: ["code_suggestions"],
        body: Type.Object({ project_path: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 201: DirectAccess, ...gitlabErrors(400, 401, 403, 404, 413, 429, 503) },
      },
      config: {
        scopes: CODE_SUGGESTIONS_SCOPES,
        rateLimit: app.principalRateLimit({
          bucket: "direct_access",
          max: context.config.directAccessPerUser,
        }),
      },
      onRequest: requireCodeSuggestions(context.availability),
      // No body at all (no Content-Type either) is the same as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const settings = await app.applicationSettings();
      if (settings.disabledDirectCodeSuggestions) {
        throw new BrokerError(
          "direct_connections_disabled",
          "disabled_direct_code_suggestions is on",
        );
      }
      const identity = identityOf(context, request, settings);
      const gatewayUrl = gatewayUrlOf(context, settings);
      const token = await requestUserAccessToken({
        dispatcher,
        gatewayUrl,
        instanceToken: await gatewayToken(context.gatewayToken),
        identity,
        requestId: request.id,
        timeoutMs,
      });
      return reply
        .code(201)
        .header("cache-control", "no-store")
        .send({
          base_url: gatewayUrl,
          token: token.token,
          expires_at: token.expiresAt,
          headers: identityHeaders(identity),
        });
    },
  );
};
