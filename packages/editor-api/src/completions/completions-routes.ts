import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import replyFrom from "@fastify/reply-from";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import { gitlabErrors } from "@token-broker/instance";
import type { FastifyReply, FastifyRequest } from "fastify";
import { requireCodeSuggestions } from "../access.ts";
import { type EditorContext, gatewayUrlOf, identityOf } from "../editor-context.ts";
import { checkRelayable, relayedHeaders } from "../gateway/gateway-answer.ts";
import { gatewayFailure } from "../gateway/gateway-failure.ts";
import { identityHeaders } from "../gateway/gateway-identity.ts";
import { gatewayTarget } from "../gateway/gateway-target.ts";
import { gatewayToken } from "../gateway/gateway-token.ts";
import { CancellableDispatcher } from "./cancellable-dispatcher.ts";
import { CompletionRequest, forwardedBody, MAX_SIDE_CHARACTERS } from "./completion-request.ts";

export const COMPLETIONS_PATH = "/api/v4/code_suggestions/completions";
/** Two sides of 400,000 characters, even escaped or multi-byte, and the context. */
const BODY_LIMIT = 4 * 1024 * 1024;

interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly stream: Readable;
}

const SIDES = ["content_above_cursor", "content_below_cursor"];

/** GitLab's phrasing of a side over its limit; any other refusal is the usual 400. */
function refusal(error: Error & { validation?: { instancePath: string; keyword: string }[] }) {
  const issue = error.validation?.[0];
  const side = issue?.instancePath.split("/").at(-1) ?? "";
  if (issue?.keyword === "maxLength" && SIDES.includes(side)) {
    return new BrokerError(
      "validation_failed",
      `current_file[${side}] is too long (maximum is ${MAX_SIDE_CHARACTERS} characters)`,
    );
  }
  return error;
}

/** Whether the editor asked for code generation streamed as SSE (the gateway's v4 route). */
function wantsSseGeneration(request: FastifyRequest, body: CompletionRequest): boolean {
  return (
    body.intent === "generation" &&
    body.stream === true &&
    request.headers["x-supports-sse-streaming"] === "true"
  );
}

function clientHeader(request: FastifyRequest, name: string): Record<string, string> {
  const value = request.headers[name];
  return typeof value === "string" && value.length <= 1024 ? { [name]: value } : {};
}

/**
 * `POST /api/v4/code_suggestions/completions`: checked, trimmed and relayed to the AI gateway
 * with this instance's token and identity (never the editor's credential, query or cookies);
 * the gateway's answer (JSON or a stream) relayed as it arrives.
 */
export const completionsRoutes: FastifyPluginAsyncTypebox<{ context: EditorContext }> = async (
  app,
  { context },
) => {
  const dispatcher = new CancellableDispatcher({
    headersTimeout: context.config.gatewayTimeoutMs,
    bodyTimeout: context.config.gatewayTimeoutMs,
  });
  app.addHook("onClose", () => dispatcher.close());
  await app.register(replyFrom, { undici: dispatcher, disableRequestLogging: true });

  app.post(
    COMPLETIONS_PATH,
    {
      bodyLimit: BODY_LIMIT,
      attachValidation: true,
      schema: {
        summary: "A code completion (or generation) from the AI gateway, through the instance",
        tags: ["code_suggestions"],
        body: CompletionRequest,
        response: gitlabErrors(400, 401, 403, 404, 413, 429, 502, 503, 504),
      },
      config: {
        scopes: CODE_SUGGESTIONS_SCOPES,
        rateLimit: app.principalRateLimit({
          bucket: "completions",
          max: context.config.completionsPerUser,
        }),
      },
      onRequest: requireCodeSuggestions(context.availability),
    },
    async (request, reply) => {
      if (request.validationError) throw refusal(request.validationError);
      const settings = await app.applicationSettings();
      const token = await gatewayToken(context.gatewayToken);
      const path = wantsSseGeneration(request, request.body)
        ? "/v4/code/suggestions"
        : "/v2/code/completions";
      const target = gatewayTarget(gatewayUrlOf(context, settings), path);
      const relay = reply as unknown as FastifyReply;
      // The editor going away (its connection closed before the answer ended) cancels the
      // gateway's request, whether the gateway has started answering or not.
      const editorGone = new AbortController();
      const release = dispatcher.register(request.id, editorGone.signal);
      relay.raw.once("close", () => {
        release();
        if (!relay.raw.writableFinished) editorGone.abort();
      });
      return relay.from(target.href, {
        body: JSON.stringify(forwardedBody(request.body)),
        contentType: "application/json",
        // Built from scratch: nothing of the editor's request crosses but these two.
        rewriteRequestHeaders: () => ({
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          ...identityHeaders(identityOf(context, request, settings)),
          "x-request-id": request.id,
          ...clientHeader(request, "user-agent"),
          ...clientHeader(request, "x-gitlab-language-server-version"),
        }),
        rewriteHeaders: (headers) => relayedHeaders(headers),
        onResponse: (_request, reply, raw) => {
          // undici's answer: reply-from's types name it after Node's response.
          const response = raw as unknown as GatewayResponse;
          request.logFields = { upstreamStatus: response.statusCode };
          try {
            checkRelayable(response.statusCode, relayedHeaders(response.headers)["content-type"]);
          } catch (error) {
            response.stream.destroy();
            reply.removeHeader("content-type");
            reply.removeHeader("x-streaming-format");
            reply.send(error);
            return;
          }
          context.relayed.add(request);
          reply.send(response.stream);
        },
        onError: (reply, { error }) => {
          reply.send(gatewayFailure(error));
        },
      });
    },
  );
};
