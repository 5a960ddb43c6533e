import { beforeAll, describe, expect, it } from "vitest";
import {
  completionBody,
  eventually,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  PREFIX,
  SUFFIX,
  useGatewayWorld,
} from "./gateway-world.ts";
import { startAiGateway } from "./running-gateway.ts";

const COMPLETION = "return a + b  # the sum of both";
const world = useGatewayWorld({ model: { completion: COMPLETION, chunks: 5 } });
let auth: { token: string; headers: Record<string, string> };
beforeAll(async () => {
  auth = await instanceToken(world());
});

/** Starts a streamed request and reads its body as it arrives. */
async function openStream(path: string, body: Record<string, unknown>, signal?: AbortSignal) {
  const response = await fetch(`${world().gateway.url}${path}`, {
    method: "POST",
    headers: {
      ...auth.headers,
      authorization: `Bearer ${auth.token}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(completionBody(body)),
    ...(signal ? { signal } : {}),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    response,
    /** Reads until the body so far satisfies `done`. */
    async readUntil(done: (text: string) => boolean): Promise<string> {
      while (!done(text)) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    async rest(): Promise<string> {
      return this.readUntil(() => false);
    },
  };
}

describe("AI gateway: streamed completions, relayed chunk by chunk", () => {
  it("v2: raw text chunks; the first arrives while the model has not sent the last", async () => {
    const { model } = world();
    model.configure({ completion: COMPLETION, chunks: 5, pauseAfterChunks: 2 });
    try {
      const before = model.received.length;
      const stream = await openStream("/v2/code/completions", { stream: true });
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const first = await stream.readUntil((text) => text.length > 0);
      const sent = model.received[before];
      // The model is held after two of its five chunks: what the client has came before the last.
      expect(sent?.chunksSent).toBe(2);
      expect(sent?.completed).toBe(false);
      expect(COMPLETION.startsWith(first)).toBe(true);
      model.release();
      // GitLab's v2 stream: the completion's text, no SSE framing.
      expect(await stream.rest()).toBe(COMPLETION);
      expect(sent?.body.stream).toBe(true);
    } finally {
      model.configure({ completion: COMPLETION, chunks: 5 });
    }
  });

  it("v4: server-sent events stream_start, content_chunk per chunk, stream_end; X-Streaming-Format: sse", async () => {
    const { model } = world();
    model.configure({ completion: COMPLETION, chunks: 5, pauseAfterChunks: 1 });
    try {
      const before = model.received.length;
      const stream = await openStream("/v4/code/suggestions", {
        stream: true,
        intent: "generation",
      });
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get("x-streaming-format")).toBe("sse");
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const start = await stream.readUntil((text) => text.includes("event: content_chunk"));
      expect(model.received[before]?.completed).toBe(false);
      model.release();
      const events = `${start}${(await stream.rest()).slice(start.length)}`
        .split("\n\n")
        .filter(Boolean)
        .map((block) => {
          const [event, data] = block.split("\n");
          return {
            event: event?.replace("event: ", ""),
            data: JSON.parse(String(data?.replace("data: ", ""))),
          };
        });
      expect(events[0]).toEqual({
        event: "stream_start",
        data: {
          metadata: {
            timestamp: expect.any(Number),
            model: { engine: "openai-compatible", name: "stand-in-coder" },
          },
        },
      });
      expect(events.at(-1)).toEqual({ event: "stream_end", data: null });
      const chunks = events.slice(1, -1);
      expect(chunks.length).toBe(5);
      expect(chunks.every((chunk) => chunk.event === "content_chunk")).toBe(true);
      expect(chunks.map((chunk) => chunk.data.choices[0].delta.content).join("")).toBe(COMPLETION);
      expect(chunks[0]?.data).toEqual({
        choices: [{ delta: { content: expect.any(String) }, index: 0 }],
      });
      // A generation asks for more tokens than a completion.
      expect(model.received[before]?.body.max_tokens).toBe(512);
    } finally {
      model.configure({ completion: COMPLETION, chunks: 5 });
    }
  });

  it("a client that goes away mid-stream: the model's request is cancelled", async () => {
    const { model } = world();
    model.configure({ completion: COMPLETION, chunks: 5, pauseAfterChunks: 1 });
    try {
      const before = model.received.length;
      const client = new AbortController();
      const stream = await openStream("/v2/code/completions", { stream: true }, client.signal);
      await stream.readUntil((text) => text.length > 0);
      client.abort();
      const sent = model.received[before];
      await eventually(() => sent?.aborted === true);
      expect(sent?.completed).toBe(false);
    } finally {
      model.release();
      model.configure({ completion: COMPLETION, chunks: 5 });
    }
  });

  it("a client that goes away while the model is slow to answer: the model's request is cancelled", async () => {
    const { model } = world();
    model.configure({ completion: COMPLETION, firstChunkDelayMs: 3_000 });
    try {
      const before = model.received.length;
      const client = new AbortController();
      const request = gatewayPost(world().gateway.url, "/v2/code/completions", {
        ...auth,
        body: completionBody(),
        signal: client.signal,
      }).catch((error: Error) => error);
      await eventually(() => model.received.length > before);
      client.abort();
      expect(await request).toBeInstanceOf(Error);
      await eventually(() => model.received[before]?.aborted === true);
    } finally {
      model.configure({ completion: COMPLETION, chunks: 5 });
    }
  });

  it("a stream ends at the model's [DONE], and the model's connection serves the next request", async () => {
    const { model } = world();
    const before = model.received.length;
    for (const _ of [1, 2]) {
      expect(await (await openStream("/v2/code/completions", { stream: true })).rest()).toBe(
        COMPLETION,
      );
    }
    const [first, second] = model.received.slice(before);
    expect(first?.completed).toBe(true);
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  it("a model that goes on after [DONE]: the answer ends whole at [DONE], and that connection is closed", async () => {
    const { model } = world();
    const more = { choices: [{ index: 0, text: " and more", finish_reason: null }] };
    model.configure({
      completion: COMPLETION,
      chunks: 5,
      afterDone: `data: ${JSON.stringify(more)}\n\n`,
    });
    try {
      const before = model.received.length;
      const stream = await openStream("/v2/code/completions", { stream: true });
      expect(await stream.rest()).toBe(COMPLETION);
      model.configure({ completion: COMPLETION, chunks: 5 });
      expect(await (await openStream("/v2/code/completions", { stream: true })).rest()).toBe(
        COMPLETION,
      );
      const [goingOn, next] = model.received.slice(before);
      expect(next?.remotePort).not.toBe(goingOn?.remotePort);
    } finally {
      model.configure({ completion: COMPLETION, chunks: 5 });
    }
  });

  it("stream: false on v4 answers the JSON of v2", async () => {
    const answer = await gatewayPost(world().gateway.url, "/v4/code/suggestions", {
      ...auth,
      body: completionBody({ stream: false }),
    });
    expect(answer.status).toBe(200);
    expect((answer.json as { choices: { text: string }[] }).choices[0]?.text).toBe(COMPLETION);
  });
});

describe("AI gateway: MODEL_PROMPT_FORMAT, the prompt the model server is sent", () => {
  it.each([
    ["codestral", `[SUFFIX]${SUFFIX}[PREFIX]${PREFIX}`, "[PREFIX]"],
    ["codellama", `<PRE>${PREFIX}<SUF>${SUFFIX}<MID>`, "<EOT>"],
    [
      "codegemma",
      `<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`,
      "<|file_separator|>",
    ],
    ["qwen", `<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`, "<|endoftext|>"],
    ["starcoder", `<fim_prefix>${PREFIX}<fim_suffix>${SUFFIX}<fim_middle>`, "<|endoftext|>"],
  ])("%s", async (format, prompt, stop) => {
    const { model } = world();
    const gateway = await startAiGateway({
      env: { ...gatewayEnv(world()), MODEL_PROMPT_FORMAT: format },
    });
    try {
      const before = model.received.length;
      const answer = await gatewayPost(gateway.url, "/v2/code/completions", {
        ...auth,
        body: completionBody(),
      });
      expect(answer.status).toBe(200);
      const sent = model.received[before]?.body;
      expect(sent?.prompt).toBe(prompt);
      expect(sent?.suffix).toBeUndefined();
      expect(sent?.stop).toContain(stop);
    } finally {
      await gateway.close();
    }
  });
});
