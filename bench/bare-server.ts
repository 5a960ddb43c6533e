/**
 * H's server: a bare Fastify route that answers a token request with a fixed token (the
 * body, status and headers SaaS answered), without authentication, policy, signing, rate
 * limits, metrics or logs. What is left is one HTTP exchange of the same size. Run as a
 * process of its own (bench/bare.ts), like the services; prints its port once listening.
 */
import Fastify from "fastify";

const body = JSON.parse(process.env.BARE_BODY ?? "{}") as Record<string, unknown>;
const headers = JSON.parse(process.env.BARE_HEADERS ?? "{}") as Record<string, string>;

const app = Fastify({ logger: false });
app.post(
  "/api/v4/code_suggestions/tokens",
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
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`${address}\n`);
process.once("SIGTERM", () => void app.close());
