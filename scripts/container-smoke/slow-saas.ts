/**
 * Container smoke test: a SaaS stand-in that takes its time. It answers every request with a
 * token after DELAY_MS, so that a request proxied by self-managed is still under way when the
 * container is stopped. Prints "listening <port>" once ready and "received <path>" for each
 * request it starts to answer.
 *
 *   tsx slow-saas.ts <port> <delay ms>
 */
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const delayMs = Number(process.argv[3] ?? 3000);

const server = createServer((request, response) => {
  process.stdout.write(`received ${request.url}\n`);
  request.resume();
  request.on("end", () => {
    setTimeout(() => {
      const body = JSON.stringify({
        access_token: "slow-saas-token",
        expires_in: 3600,
        created_at: Math.floor(Date.now() / 1000),
      });
      response.writeHead(201, { "content-type": "application/json" }).end(body);
    }, delayMs);
  });
});

server.listen(port, "127.0.0.1", () => process.stdout.write(`listening ${port}\n`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
