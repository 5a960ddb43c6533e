import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ModelConfig } from "../config.ts";
import type { CompletionRequest, ModelClient } from "../model/model-client.ts";
import { buildPrompt } from "../model/prompt-formats.ts";
import type { CompletionRequestBody } from "./completion-request.ts";

/** Model settings for a completion (a few lines) and a generation (a block of code). */
const COMPLETION_TOKENS = 128;
const GENERATION_TOKENS = 512;
const TEMPERATURE = 0.1;
/** What the answers name as their engine: the model server's protocol. */
const ENGINE = "openai-compatible";

/** v2's streamed answer: the completion's text, as the model sends it. */
const RAW_TEXT = { chunk: (text: string) => text };

/** One server-sent event of v4's stream. */
const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** A signal aborted when the client goes away before its answer is complete. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error("the client went away"));
  });
  return controller.signal;
}

export function createCompletionService(model: ModelConfig | undefined, client: ModelClient) {
  const modelName = model?.name ?? "";

  function completionRequest(
    request: FastifyRequest<{ Body: CompletionRequestBody }>,
    generation: boolean,
  ): CompletionRequest {
    const body = request.body;
    const { content_above_cursor: prefix, content_below_cursor: suffix } = body.current_file;
    return {
      prompt: buildPrompt(model?.promptFormat ?? "suffix", prefix, suffix),
      maxTokens: generation ? GENERATION_TOKENS : COMPLETION_TOKENS,
      temperature: TEMPERATURE,
      log: request.log,
    };
  }

  return {
    /** `/v2/code/completions` and `/v2/completions`: JSON, or raw text chunks when streamed. */
    async v2(request: FastifyRequest<{ Body: CompletionRequestBody }>, reply: FastifyReply) {
      const body = request.body;
      const signal = clientGone(reply);
      const completion = completionRequest(request, false);
      if (body.stream === true) {
        const stream = await client.stream(completion, signal, RAW_TEXT);
        return reply
          .header("content-type", "text/event-stream; charset=utf-8")
          .header("cache-control", "no-cache")
          .header("x-accel-buffering", "no")
          .send(stream);
      }
      const text = await client.complete(completion, signal);
      return {
        id: randomUUID(),
        model: {
          engine: ENGINE,
          name: modelName,
          lang: body.current_file.language_identifier ?? "",
        },
        experiments: [],
        object: "text_completion" as const,
        created: Math.floor(Date.now() / 1000),
        choices: [{ text, index: 0, finish_reason: "length" }],
      };
    },

    /** `/v4/code/suggestions`: server-sent events (stream_start, content_chunk…, stream_end). */
    async v4(request: FastifyRequest<{ Body: CompletionRequestBody }>, reply: FastifyReply) {
      const body = request.body;
      if (body.stream !== true) return this.v2(request, reply);
      const signal = clientGone(reply);
      const stream = await client.stream(
        completionRequest(request, body.intent === "generation"),
        signal,
        {
          start: () =>
            event("stream_start", {
              metadata: {
                timestamp: Math.floor(Date.now() / 1000),
                model: { engine: ENGINE, name: modelName },
              },
            }),
          chunk: (content) =>
            event("content_chunk", { choices: [{ delta: { content }, index: 0 }] }),
          end: () => event("stream_end", null),
        },
      );
      return reply
        .header("content-type", "text/event-stream; charset=utf-8")
        .header("x-streaming-format", "sse")
        .header("cache-control", "no-cache")
        .header("x-accel-buffering", "no")
        .send(stream);
    },
  };
}

export type CompletionService = ReturnType<typeof createCompletionService>;
