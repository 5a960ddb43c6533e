/**
 * F's server: the least a hop in front of the model can cost here. A bare Fastify route
 * `POST /v1/completions` that sends the client's body on to the model stand-in (undici,
 * keep-alive, as the gateway's model client) and relays its answer as it comes (its status,
 * its content type, its body piped chunk by chunk): no authentication, validation, prompt,
 * parsing of events, rate limits, metrics or logs. Run as a process of its own, like the
 * services; prints its address once listening.
 */
import Fastify from "fastify";
import { Agent } from "undici";

const upstream = process.env.BARE_UPSTREAM;
if (upstream === undefined) throw new Error("BARE_UPSTREAM is not set");
const origin = new URL(upstream).origin;
const dispatcher = new Agent();

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
app.post("/v1/completions", async (request, reply) => {
  const answer = await dispatcher.request({
    origin,
    path: "/v1/completions",
    method: "POST",
    headers: { "content-type": "application/json" },
    body: request.body as Buffer,
  });
  return reply
    .code(answer.statusCode)
    .header("content-type", String(answer.headers["content-type"] ?? "application/json"))
    .send(answer.body);
});
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`${address}\n`);
process.once("SIGTERM", () => void app.close());
