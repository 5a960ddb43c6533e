import { generateKeyPairSync } from "node:crypto";
import { createLogger } from "@token-broker/instance";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aiGatewayApp } from "../src/app.ts";
import { readAiGatewayConfig } from "../src/config.ts";
import { gatewayServerOptions } from "../src/server-options.ts";

const draining = new AbortController();
const app = Fastify(
  gatewayServerOptions(createLogger({ service: "ai-gateway", level: "silent", pretty: false })),
);

beforeAll(async () => {
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const config = readAiGatewayConfig({
    AI_GATEWAY_TRUSTED_ISSUERS: "http://127.0.0.1:9",
    AI_GATEWAY_SIGNING_KEY: key.export({ type: "pkcs8", format: "pem" }).toString(),
  });
  await app.register(aiGatewayApp, { config, draining: draining.signal });
  await app.ready();
});
afterAll(() => app.close());

describe("AI gateway health", () => {
  it("liveness and readiness answer without a token; readiness fails once draining", async () => {
    expect((await app.inject("/monitoring/healthz")).json()).toEqual({ status: "ok" });
    expect((await app.inject("/monitoring/ready")).statusCode).toBe(200);
    draining.abort();
    const ready = await app.inject("/monitoring/ready");
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: "shutting down" });
    expect((await app.inject("/monitoring/healthz")).statusCode).toBe(200);
  });

  it("the OpenAPI document lists the gateway's routes, without authentication", async () => {
    const document = (await app.inject("/-/docs/json")).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).sort()).toEqual([
      "/v1/code/user_access_token",
      "/v2/code/completions",
      "/v2/completions",
      "/v4/code/suggestions",
    ]);
  });
});
