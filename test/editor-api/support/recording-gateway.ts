import type { AddressInfo } from "node:net";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";

export interface GatewayRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/** How the gateway answers one route: the test replaces it to make the gateway misbehave. */
export type GatewayHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const COMPLETION = {
  id: "id",
  model: { engine: "stand-in", name: "stand-in", lang: "python" },
  experiments: [],
  object: "text_completion",
  created: 1_700_000_000,
  choices: [{ text: "return a + b", index: 0, finish_reason: "length" }],
};

const DEFAULT_HANDLERS: Record<string, GatewayHandler> = {
  "/v2/code/completions": async () => COMPLETION,
  "/v4/code/suggestions": async (_request, reply) =>
    reply
      .header("content-type", "text/event-stream")
      .header("x-streaming-format", "sse")
      .send('event: stream_start\ndata: {"metadata":{}}\n\nevent: stream_end\ndata: null\n\n'),
  "/v1/code/user_access_token": async () => ({
    token: "header.payload.signature",
    expires_at: 1_900_000_000,
  }),
};

/**
 * A real HTTP server standing where the AI gateway does, recording what reaches it: for the
 * editor API's own rules (what it sends, how it relays). The gateway's behaviour is tested
 * in test/ai-gateway; the language server's sequence runs against the real one.
 */
export async function startRecordingGateway() {
  const received: GatewayRequest[] = [];
  const handlers = new Map(Object.entries(DEFAULT_HANDLERS));
  const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
  for (const path of Object.keys(DEFAULT_HANDLERS)) {
    app.post(path, async (request, reply) => {
      received.push({ url: request.url, headers: { ...request.headers }, body: request.body });
      const handler = handlers.get(path) as GatewayHandler;
      return handler(request, reply);
    });
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Replaces a route's answer until `reset()`. */
    answer(path: keyof typeof DEFAULT_HANDLERS | string, handler: GatewayHandler) {
      handlers.set(path, handler);
    },
    reset() {
      for (const [path, handler] of Object.entries(DEFAULT_HANDLERS)) handlers.set(path, handler);
    },
    close: () => app.close(),
  };
}

export type RecordingGateway = Awaited<ReturnType<typeof startRecordingGateway>>;
export { COMPLETION };
