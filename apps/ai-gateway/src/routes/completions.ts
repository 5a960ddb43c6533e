import type { RateLimitOptions } from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { requireScope } from "../auth/authentication.ts";
import {
  CompletionAnswer,
  CompletionRequestBody,
  DetailBody,
  ErrorBody,
  ValidationBody,
} from "../completions/completion-request.ts";
import type { CompletionService } from "../completions/completion-service.ts";

const REFUSED = "Unauthorized to access code completions";

export interface CompletionRoutesOptions {
  readonly completions: CompletionService;
  readonly rateLimit: RateLimitOptions;
}

const responses = {
  200: CompletionAnswer,
  401: ErrorBody,
  403: DetailBody,
  422: ValidationBody,
  429: DetailBody,
  502: DetailBody,
  503: DetailBody,
  504: DetailBody,
};

/**
 * GitLab's completion routes. The token and its scope are checked before the body is read
 * (onRequest: the app's authentication runs first), as GitLab's gateway refuses a token
 * before it looks at the request.
 */
export const completionRoutes: FastifyPluginAsyncTypebox<CompletionRoutesOptions> = async (
  app,
  { completions, rateLimit },
) => {
  const checkScope = async (request: Parameters<typeof requireScope>[0]) => {
    requireScope(request, "complete_code", REFUSED);
  };

  app.post(
    "/v2/code/completions",
    {
      config: { rateLimit },
      onRequest: checkScope,
      schema: {
        summary: "Code completion (JSON, or raw text chunks with stream: true)",
        tags: ["completions"],
        body: CompletionRequestBody,
        response: responses,
      },
    },
    (request, reply) => completions.v2(request, reply),
  );

  app.post(
    "/v2/completions",
    {
      config: { rateLimit, acceptsLegacyTokens: true },
      onRequest: checkScope,
      schema: {
        summary: "Code completion (legacy route: also the tokens of /code_suggestions/tokens)",
        tags: ["completions"],
        body: CompletionRequestBody,
        response: responses,
      },
    },
    (request, reply) => completions.v2(request, reply),
  );

  app.post(
    "/v4/code/suggestions",
    {
      config: { rateLimit },
      onRequest: checkScope,
      schema: {
        summary: "Code generation, streamed as server-sent events",
        tags: ["completions"],
        body: CompletionRequestBody,
        response: responses,
      },
    },
    (request, reply) => completions.v4(request, reply),
  );
};
