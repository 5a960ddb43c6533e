import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestToken } from "../support/token-request.ts";
import { configuredSelfManaged } from "./instances.ts";

/**
 * Fault injection: a real HTTP server stands in for a broken SaaS (the working SaaS is
 * tested in flow.test.ts). Self-managed must check each answer before relaying it.
 */
type Answer = (request: IncomingMessage, response: ServerResponse) => void;

const BAD_GATEWAY = { message: "502 Bad Gateway" };
const TOKEN = { access_token: "header.payload.signature", expires_in: 3600, created_at: 1 };

describe("SaaS's answer is checked before it is relayed", () => {
  let answer: Answer = (_request, response) => response.end();
  /** What the stand-in received: method, URL and the body's length. */
  const received: { method?: string; bodyBytes: number }[] = [];
  let brokenSaas: Server;
  let selfManaged: RunningService<SelfManagedConfig>;
  let token: string;

  beforeAll(async () => {
    brokenSaas = createServer((request, response) => {
      let bodyBytes = 0;
      request.on("data", (chunk: Buffer) => {
        bodyBytes += chunk.length;
      });
      request.on("end", () => {
        received.push({ method: request.method, bodyBytes });
        answer(request, response);
      });
    });
    await new Promise<void>((resolve) => brokenSaas.listen(0, "127.0.0.1", resolve));
    const { port } = brokenSaas.address() as AddressInfo;
    selfManaged = await configuredSelfManaged(
      `http://127.0.0.1:${port}`,
      "glpat-serviceaccount00000",
      { SAAS_TIMEOUT_MS: "1000" },
    );
    ({ token } = await selfManaged.fixtures.userWithToken());
  });
  afterAll(async () => {
    await selfManaged.close();
    brokenSaas.closeAllConnections();
    await new Promise((resolve) => brokenSaas.close(resolve));
  });

  async function answeredWith(next: Answer) {
    answer = next;
    return requestToken(selfManaged.url, token, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ forwarded: "never" }),
    });
  }

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => {
    return (_request, response) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    };
  };

  it.each([
    { why: "a 201 that is not JSON", saas: json(201, "garbage{") },
    { why: "a 201 without an access_token", saas: json(201, { expires_in: 3600, created_at: 1 }) },
    { why: "a 201 whose expires_in is a string", saas: json(201, { ...TOKEN, expires_in: "1" }) },
    { why: "a 201 whose body is JSON null", saas: json(201, "null") },
    { why: "a token with status 200", saas: json(200, TOKEN) },
    { why: "a 429 without Retry-After", saas: json(429, { message: "slow down" }) },
    { why: "a 418", saas: json(418, { message: "I'm a teapot" }) },
    { why: "a 503", saas: json(503, { message: "503 Service Unavailable" }) },
    {
      why: "GitLab's HTML 500 page",
      saas: ((_request, response) => {
        response.writeHead(500, { "content-type": "text/html" });
        response.end(
          "<html><body><h1>500</h1><p>We're sorry, something went wrong.</p></body></html>",
        );
      }) as Answer,
    },
    {
      why: "a token padded over 16 KB",
      saas: json(201, { ...TOKEN, padding: "x".repeat(16 * 1024) }),
    },
  ])("502 for $why, with none of it relayed", async ({ saas }) => {
    const response = await answeredWith(saas);
    expect([response.status, response.body]).toEqual([502, BAD_GATEWAY]);
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("502 for a 200 MB answer, streamed by SaaS and dropped after 16 KB", async () => {
    let written = 0;
    const response = await answeredWith((_request, saasResponse) => {
      saasResponse.writeHead(201, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, "x");
      const total = 200 * 1024 * 1024;
      const pump = () => {
        while (written < total && !saasResponse.destroyed) {
          written += chunk.length;
          if (!saasResponse.write(chunk)) return saasResponse.once("drain", pump);
        }
        if (!saasResponse.destroyed) saasResponse.end();
      };
      pump();
    });
    expect([response.status, response.body]).toEqual([502, BAD_GATEWAY]);
    expect(written).toBeLessThan(200 * 1024 * 1024);
  });

  it("504 for a body that trickles, within the timeout of the body (plus a margin)", async () => {
    let trickle: NodeJS.Timeout | undefined;
    const started = performance.now();
    const response = await answeredWith((_request, saasResponse) => {
      saasResponse.writeHead(201, { "content-type": "application/json" });
      trickle = setInterval(() => saasResponse.write(" "), 50);
      saasResponse.on("close", () => clearInterval(trickle));
    });
    clearInterval(trickle);
    expect([response.status, response.body]).toEqual([504, { message: "504 Gateway Timeout" }]);
    expect(performance.now() - started).toBeLessThan(1000 + 1000 + 1500);
  });

  it("relays a 429 with Retry-After and RateLimit-*, and no other header", async () => {
    const body = { message: "This endpoint has been requested too many times. Try again later." };
    const response = await answeredWith(
      json(429, body, {
        "retry-after": "42",
        "ratelimit-limit": "6000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": "42",
        "cache-control": "no-cache",
        "set-cookie": "session=saas",
        "x-saas-internal": "secret",
        "keep-alive": "timeout=99",
        connection: "keep-alive",
      }),
    );
    expect([response.status, response.body]).toEqual([429, body]);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "retry-after": "42",
      "ratelimit-limit": "6000",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "42",
      "cache-control": "no-cache",
      "content-type": "application/json",
    });
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("x-saas-internal")).toBeNull();
    expect(response.headers.get("keep-alive")).not.toBe("timeout=99");
  });

  it.each([401, 403, 404])("relays a %i with SaaS's GitLab body", async (status) => {
    const body = { message: `${status} from SaaS` };
    const response = await answeredWith(json(status, body));
    expect([response.status, response.body]).toEqual([status, body]);
  });

  it("relays a well-formed 201 as SaaS sent it, and SaaS got an empty POST", async () => {
    const before = received.length;
    const response = await answeredWith(json(201, TOKEN, { "cache-control": "no-store" }));
    expect([response.status, response.body]).toEqual([201, TOKEN]);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(received.slice(before)).toEqual([{ method: "POST", bodyBytes: 0 }]);
  });
});
