import { pipeline, type Readable } from "node:stream";
import { BrokerError } from "@token-broker/errors";
import { createOutboundDispatcher } from "@token-broker/instance";
import type { FastifyBaseLogger } from "fastify";
import { type Dispatcher, errors, request } from "undici";
import type { ModelConfig } from "../config.ts";
import { type ChunkFrame, CompletionChunks } from "./completion-chunks.ts";
import {
  completionText,
  invalidModelAnswer,
  modelErrorKind,
  parseModelJson,
} from "./model-answer.ts";
import type { Prompt } from "./prompt-formats.ts";

/** A whole answer larger than this is not read further (refused, 502). */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** An error body is read this far only, for its `type`. */
const MAX_ERROR_BYTES = 16 * 1024;

export interface CompletionRequest {
  readonly prompt: Prompt;
  readonly maxTokens: number;
  readonly temperature: number;
  /** The request's logger: the model's refusal is logged with the request's id. */
  readonly log?: FastifyBaseLogger;
}

/** How a model request ended, for the metric (a closed set). */
export type ModelOutcome = "ok" | "unreachable" | "timeout" | "invalid" | "cancelled";

export interface ModelClient {
  /** The whole completion. */
  complete(completion: CompletionRequest, signal: AbortSignal): Promise<string>;
  /**
   * The completion's chunks as the model sends them, framed by `frame`, as a body for the
   * client. Resolves once the model has answered 200 and its first chunk has been read (a
   * refusal or a failure before it rejects, so that it gets its own status); reading the
   * body reads the model's, so a slow reader slows the model's connection down
   * (backpressure). A failure later destroys the body (the client's answer is cut short);
   * destroying it (the client went away) closes the model's connection.
   */
  stream(completion: CompletionRequest, signal: AbortSignal, frame: ChunkFrame): Promise<Readable>;
  close(): Promise<void>;
}

/**
 * Closes a model answer's body unread (and its connection). undici reports a body destroyed
 * without a reader as an `error` event: with no listener that would end the process.
 */
function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}

async function readBounded(body: Dispatcher.ResponseData["body"], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      discard(body);
      throw invalidModelAnswer("an answer too large");
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The client's signal, also aborted after `ms` with a TimeoutError, until `clear()`.
 * AbortSignal.timeout's timer cannot be cancelled: with AbortSignal.any's composite, each
 * answered request left a live timer, and an abort (a DOMException) at the end of the whole
 * timeout, behind it (2 % of the gateway's CPU in a profile at 64 editors).
 */
function withDeadline(clientSignal: AbortSignal, ms: number) {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(clientSignal.reason);
  if (clientSignal.aborted) onClientAbort();
  else clientSignal.addEventListener("abort", onClientAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException("The model did not answer in time", "TimeoutError")),
    ms,
  );
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
    },
  };
}

/** The catalogue error for a request that got no answer; the cause names no address. */
function failure(error: unknown, signal: AbortSignal): BrokerError {
  if (error instanceof BrokerError) return error;
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    (signal.aborted && (signal.reason as Error | undefined)?.name === "TimeoutError")
  ) {
    return new BrokerError("model_timeout", "model too slow", {
      cause: new Error(String((error as Error).name)),
    });
  }
  const code = (error as { code?: unknown }).code;
  return new BrokerError("model_unreachable", "model unreachable", {
    cause: new Error(typeof code === "string" ? code : "connection failed"),
  });
}

/** The metric's outcome of a request that failed with `error`. */
function outcomeOf(error: unknown, signal: AbortSignal): ModelOutcome {
  const code = error instanceof BrokerError ? error.code : undefined;
  if (code === "model_timeout") return "timeout";
  if (code === "model_invalid_answer") return "invalid";
  return signal.aborted ? "cancelled" : "unreachable";
}

export function createModelClient(
  model: ModelConfig | undefined,
  log: FastifyBaseLogger,
  record: (outcome: ModelOutcome, stream: boolean, seconds: number) => void = () => {},
): ModelClient {
  if (model === undefined) {
    const notConfigured = async (): Promise<never> => {
      throw new BrokerError("model_not_configured", "MODEL_ENDPOINT is not set");
    };
    return { complete: notConfigured, stream: notConfigured, close: async () => {} };
  }
  const dispatcher = createOutboundDispatcher(model.network, model.timeoutMs);
  const url = `${model.endpoint}/v1/completions`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...(model.apiKey ? { authorization: `Bearer ${model.apiKey}` } : {}),
  };

  /** Sends the request; resolves with a 200 answer's body, rejects with the catalogue's error. */
  async function send(completion: CompletionRequest, stream: boolean, signal: AbortSignal) {
    const { prompt } = completion;
    const body = JSON.stringify({
      model: model?.name,
      prompt: prompt.prompt,
      ...(prompt.suffix !== undefined ? { suffix: prompt.suffix } : {}),
      max_tokens: completion.maxTokens,
      temperature: completion.temperature,
      ...(prompt.stop.length > 0 ? { stop: prompt.stop } : {}),
      stream,
    });
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url, { method: "POST", headers, body, dispatcher, signal });
    } catch (error) {
      throw failure(error, signal);
    }
    if (answer.statusCode !== 200) {
      const text = await readBounded(answer.body, MAX_ERROR_BYTES).catch(() => "");
      let kind: string | undefined;
      try {
        kind = modelErrorKind(JSON.parse(text));
      } catch {
        kind = undefined;
      }
      (completion.log ?? log).warn(
        { modelStatus: answer.statusCode, modelError: kind },
        "the model server refused the request",
      );
      throw invalidModelAnswer(`status ${answer.statusCode}`);
    }
    return answer;
  }

  return {
    async complete(completion, clientSignal) {
      const started = performance.now();
      const { signal, clear } = withDeadline(clientSignal, model.timeoutMs);
      try {
        const answer = await send(completion, false, signal);
        const text = completionText(
          parseModelJson(await readBounded(answer.body, MAX_ANSWER_BYTES)),
        );
        record("ok", false, (performance.now() - started) / 1000);
        return text;
      } catch (error) {
        const failed = failure(error, signal);
        record(outcomeOf(failed, clientSignal), false, (performance.now() - started) / 1000);
        throw failed;
      } finally {
        clear();
      }
    },

    async stream(completion, signal, frame) {
      const started = performance.now();
      const done = (outcome: ModelOutcome) =>
        record(outcome, true, (performance.now() - started) / 1000);
      let answer: Dispatcher.ResponseData;
      try {
        answer = await send(completion, true, signal);
      } catch (error) {
        done(outcomeOf(error, signal));
        throw error;
      }
      const type = String(answer.headers["content-type"] ?? "");
      if (!type.startsWith("text/event-stream")) {
        discard(answer.body);
        done("invalid");
        throw invalidModelAnswer("a stream that is not text/event-stream");
      }
      const chunks = new CompletionChunks(frame);
      pipeline(answer.body, chunks, (error) => {
        if (chunks.done) {
          done("ok");
          return;
        }
        const failed = failure(error, signal);
        const outcome = outcomeOf(failed, signal);
        done(outcome);
        if (chunks.started && outcome !== "cancelled") {
          (completion.log ?? log).warn({ code: failed.code }, "the model's stream failed");
        }
      });
      try {
        await chunks.first;
      } catch (error) {
        throw failure(error, signal);
      }
      return chunks;
    },

    close: () => dispatcher.close(),
  };
}
