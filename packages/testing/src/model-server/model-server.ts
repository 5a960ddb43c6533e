/**
 * A stand-in for an OpenAI-compatible model server (vLLM, Ollama, llama.cpp's server,
 * LiteLLM), the one participant tests may replace: no model weights can be fetched here.
 * It is a real HTTP server speaking the real wire format of `POST /v1/completions`:
 *
 * - `stream: false`: one `text_completion` JSON answer (`choices[0].text`, `usage`);
 * - `stream: true`: `text/event-stream`, one `data: {…}` event per chunk (the last with its
 *   `finish_reason`), then `data: [DONE]`; every event is written in two writes with a pause
 *   between, so that events arrive split across TCP packets, as a real server's often do;
 * - errors as vLLM sends them (`{"object":"error","message","type","param","code"}`) or as
 *   Ollama's OpenAI-compatible API does (`{"error":{"message","type","param","code"}}`).
 *
 * Options (all optional; `configure()` changes them for the next requests):
 * - `completion`: the text answered (default `"return a + b"`), or a function of the request;
 * - `chunks`: how many chunks a streamed completion is cut into (default 20);
 * - `firstChunkDelayMs`: wait before the response headers (a slow first byte; default 0);
 * - `chunkIntervalMs`: wait between chunks (default 0);
 *   both count from the request's arrival, as a model's own latency would: chunk `i` leaves
 *   at `firstChunkDelayMs + i × chunkIntervalMs` (a JSON answer when the last would), and a
 *   timer that fires late (a busy machine) makes the next wait shorter, not the answer later;
 * - `pauseAfterChunks`: stop after this many chunks until `release()` is called;
 * - `failure`: answer with this error instead (`{status, format: "vllm" | "ollama", message?, type?}`);
 * - `answer`: `"not-a-completion"` sends a chat-completion shape, `"not-json"` an HTML page;
 * - `apiKey`: when set, requests must carry `Authorization: Bearer <apiKey>` (else 401);
 * - `afterDone`: text written after `data: [DONE]` (a server that goes on past its end);
 * - `splitEvents`: false writes each event whole, in one write (the benchmark: half the
 *   writes and timers of a stream, so that the stand-in's own cost stays small).
 *
 * Benchmark settings (fixed latency): `{ firstChunkDelayMs: 50, chunks: 20, chunkIntervalMs: 10,
 * splitEvents: false }`.
 * Every request is recorded in `received` (headers, parsed body, and whether the client went
 * away before the answer was complete), so that tests can check the prompt and cancellation.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

export interface ModelFailure {
  readonly status: number;
  readonly format: "vllm" | "ollama";
  readonly message?: string;
  readonly type?: string;
}

export interface ModelServerOptions {
  readonly completion?: string | ((request: ReceivedCompletion) => string);
  readonly chunks?: number;
  readonly firstChunkDelayMs?: number;
  readonly chunkIntervalMs?: number;
  readonly pauseAfterChunks?: number;
  readonly failure?: ModelFailure;
  readonly answer?: "completion" | "not-a-completion" | "not-json";
  readonly apiKey?: string;
  readonly splitEvents?: boolean;
  readonly afterDone?: string;
}

export interface ReceivedCompletion {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request's JSON body (`model`, `prompt`, `suffix`, `max_tokens`, `stop`, `stream`…). */
  readonly body: Record<string, unknown>;
  /** How many chunks of a streamed answer were written so far. */
  chunksSent: number;
  /** The answer was written whole. */
  completed: boolean;
  /** The client closed the connection before the answer was complete. */
  aborted: boolean;
  /** The client's port: requests with the same one came on the same (kept-alive) connection. */
  readonly remotePort: number | undefined;
}

export interface ModelServer {
  /** Base URL (`http://127.0.0.1:<port>`): what MODEL_ENDPOINT is set to. */
  readonly url: string;
  readonly received: readonly ReceivedCompletion[];
  configure(options: ModelServerOptions): void;
  /** Lets a stream paused by `pauseAfterChunks` go on. */
  release(): void;
  close(): Promise<void>;
}

const DEFAULT_COMPLETION = "return a + b";
/** Bodies larger than this are refused, as a real server's limit would. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The completion cut into `count` pieces of nearly equal length (none empty unless it is). */
export function splitIntoChunks(text: string, count: number): string[] {
  const pieces = Math.max(1, Math.min(count, text.length));
  const size = Math.ceil(text.length / pieces);
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size)
    chunks.push(text.slice(start, start + size));
  return chunks.length > 0 ? chunks : [""];
}

function errorBody(failure: ModelFailure): unknown {
  const message = failure.message ?? "The model is overloaded";
  if (failure.format === "vllm") {
    return {
      object: "error",
      message,
      type: failure.type ?? "BadRequestError",
      param: null,
      code: failure.status,
    };
  }
  return { error: { message, type: failure.type ?? "api_error", param: null, code: null } };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** Waits until `offsetMs` after `start` (a `performance.now()`), at once if that is past. */
async function waitUntil(start: number, offsetMs: number): Promise<void> {
  const wait = start + offsetMs - performance.now();
  if (wait > 0) await delay(wait);
}

/** Writes `text` in two writes with a pause between: the halves leave in separate packets. */
async function writeSplit(response: ServerResponse, text: string): Promise<void> {
  const middle = Math.max(1, Math.floor(text.length / 2));
  response.write(text.slice(0, middle));
  await delay(1);
  if (!response.destroyed) response.write(text.slice(middle));
}

export async function startModelServer(
  initial: ModelServerOptions = {},
  listen: {
    port?: number;
    host?: string;
    /** false: `received` stays empty (a long-running process nobody reads it in). */
    record?: boolean;
  } = {},
): Promise<ModelServer> {
  let options: ModelServerOptions = initial;
  const received: ReceivedCompletion[] = [];
  let releaseWaiting: (() => void)[] = [];

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let arrived = performance.now();
    if (request.method !== "POST" || request.url?.split("?")[0] !== "/v1/completions") {
      sendJson(response, 404, { detail: "Not Found" });
      return;
    }
    const settings = options;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    } catch {
      sendJson(response, 400, errorBody({ status: 400, format: "vllm", message: "invalid JSON" }));
      return;
    }
    const record: ReceivedCompletion = {
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      body,
      chunksSent: 0,
      completed: false,
      aborted: false,
      remotePort: request.socket.remotePort,
    };
    if (listen.record !== false) received.push(record);
    response.once("close", () => {
      if (!record.completed) record.aborted = true;
    });

    if (
      settings.apiKey !== undefined &&
      request.headers.authorization !== `Bearer ${settings.apiKey}`
    ) {
      sendJson(
        response,
        401,
        errorBody({
          status: 401,
          format: "vllm",
          message: "Unauthorized",
          type: "AuthenticationError",
        }),
      );
      return;
    }
    const firstChunkMs = settings.firstChunkDelayMs ?? 0;
    const intervalMs = settings.chunkIntervalMs ?? 0;
    await waitUntil(arrived, firstChunkMs);
    if (response.destroyed) return;
    if (settings.failure) {
      sendJson(response, settings.failure.status, errorBody(settings.failure));
      record.completed = true;
      return;
    }
    if (settings.answer === "not-json") {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html><body>502 Bad Gateway</body></html>");
      record.completed = true;
      return;
    }
    const text =
      typeof settings.completion === "function"
        ? settings.completion(record)
        : (settings.completion ?? DEFAULT_COMPLETION);
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = String(body.model ?? "");
    const choice = (chunk: string, finish: string | null) =>
      settings.answer === "not-a-completion"
        ? { index: 0, message: { role: "assistant", content: chunk }, finish_reason: finish }
        : { index: 0, text: chunk, logprobs: null, finish_reason: finish };

    if (body.stream !== true) {
      const chunks = splitIntoChunks(text, settings.chunks ?? 20);
      await waitUntil(arrived, firstChunkMs + intervalMs * chunks.length);
      if (response.destroyed) return;
      sendJson(response, 200, {
        id,
        object: settings.answer === "not-a-completion" ? "chat.completion" : "text_completion",
        created,
        model,
        choices: [choice(text, "length")],
        usage: {
          prompt_tokens: 10,
          completion_tokens: chunks.length,
          total_tokens: 10 + chunks.length,
        },
      });
      record.completed = true;
      return;
    }

    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    const chunks = splitIntoChunks(text, settings.chunks ?? 20);
    const write =
      settings.splitEvents === false
        ? async (target: ServerResponse, event: string) => {
            target.write(event);
          }
        : writeSplit;
    for (const [index, chunk] of chunks.entries()) {
      if (settings.pauseAfterChunks !== undefined && index === settings.pauseAfterChunks) {
        await new Promise<void>((resolve) => releaseWaiting.push(resolve));
        // The schedule goes on from the release, as if the stream had started then.
        arrived = performance.now() - firstChunkMs - intervalMs * index;
      }
      if (response.destroyed) return;
      const last = index === chunks.length - 1;
      const event = {
        id,
        object: "text_completion",
        created,
        model,
        choices: [choice(chunk, last ? "length" : null)],
      };
      await write(response, `data: ${JSON.stringify(event)}\n\n`);
      record.chunksSent += 1;
      if (!last) await waitUntil(arrived, firstChunkMs + intervalMs * (index + 1));
    }
    if (response.destroyed) return;
    await write(response, "data: [DONE]\n\n");
    if (settings.afterDone !== undefined) await write(response, settings.afterDone);
    record.completed = true;
    response.end();
  }

  const server: Server = createServer((request, response) => {
    answer(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) =>
    server.listen(listen.port ?? 0, listen.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  const release = () => {
    const waiting = releaseWaiting;
    releaseWaiting = [];
    for (const resolve of waiting) resolve();
  };
  return {
    url: `http://${listen.host ?? "127.0.0.1"}:${port}`,
    received,
    configure(next) {
      options = next;
    },
    release,
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
