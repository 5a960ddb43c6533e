/**
 * H's server: a bare Fastify route that answers a token request with a fixed token (the
 * body, status and headers SaaS answered), without authentication, policy, signing, rate
 * limits, metrics or logs. What is left is one HTTP exchange of the same size. Run as a
 * process of its own (bench/bare.ts), like the services; prints its port once listening.
 *
 * With BARE_UPSTREAM, the same route relays instead: the client's Authorization to the
 * upstream's token route (undici, keep-alive, as self-managed's hop), its answer read whole
 * and sent back with its status. The least a hop in front of SaaS can cost here.
 */
import Fastify from "fastify";
import { Agent } from "undici";

const body = JSON.parse(process.env.BARE_BODY ?? "{}") as Record<string, unknown>;
const headers = JSON.parse(process.env.BARE_HEADERS ?? "{}") as Record<string, string>;

const upstream = process.env.BARE_UPSTREAM;
const TOKENS_PATH = "/api/v4/code_suggestions/tokens";

const app = Fastify({ logger: false });
if (upstream !== undefined) {
  const dispatcher = new Agent();
  const origin = new URL(upstream).origin;
  app.post(TOKENS_PATH, async (request, reply) => {
    const answer = await dispatcher.request({
      origin,
      path: TOKENS_PATH,
      method: "POST",
      headers: { authorization: request.headers.authorization ?? "" },
    });
    const text = await answer.body.text();
    return reply
      .code(answer.statusCode)
      .header("content-type", "application/json")
      .header("cache-control", "no-store")
      .send(text);
  });
} else {
  app.post(
    TOKENS_PATH,
    {
      // Serialised from a schema as SaaS serialises its answer.
      schema: {
        response: {
          201: {
            type: "object",
            properties: {
              access_token: { type: "string" },
              expires_in: { type: "integer" },
              created_at: { type: "integer" },
            },
          },
        },
      },
    },
    async (_request, reply) => reply.code(201).headers(headers).send(body),
  );
}
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`${address}\n`);
process.once("SIGTERM", () => void app.close());
