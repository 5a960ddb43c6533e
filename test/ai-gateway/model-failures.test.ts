import { freePort, type ModelServerOptions } from "@token-broker/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  completionBody,
  eventually,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  useGatewayWorld,
} from "./gateway-world.ts";
import { startAiGateway } from "./running-gateway.ts";

const world = useGatewayWorld();
let auth: { token: string; headers: Record<string, string> };
beforeAll(async () => {
  auth = await instanceToken(world());
});

/** A completion from a gateway with `env` on top of the world's, and its log. */
async function complete(env: Record<string, string>, body: Record<string, unknown> = {}) {
  const gateway = await startAiGateway({ env: { ...gatewayEnv(world()), ...env } });
  try {
    const answer = await gatewayPost(gateway.url, "/v2/code/completions", {
      ...auth,
      body: completionBody(body),
    });
    return { ...answer, logs: gateway.logs.join("") };
  } finally {
    await gateway.close();
  }
}

/** A completion from the world's stand-in behaving as `options`. */
async function completeWith(options: ModelServerOptions, body: Record<string, unknown> = {}) {
  world().model.configure(options);
  try {
    return await complete({}, body);
  } finally {
    world().model.configure({});
  }
}

describe("AI gateway: when the model server is missing, slow or answers something else", () => {
  it("no MODEL_ENDPOINT: 503 naming what to set", async () => {
    const gateway = await startAiGateway({ env: { AI_GATEWAY_TRUSTED_ISSUERS: world().saas.url } });
    try {
      for (const stream of [false, true]) {
        const answer = await gatewayPost(gateway.url, "/v2/code/completions", {
          ...auth,
          body: completionBody({ stream }),
        });
        expect(answer.status).toBe(503);
        expect(answer.json).toEqual({
          detail: "No model server configured: set MODEL_ENDPOINT and MODEL_NAME",
        });
      }
    } finally {
      await gateway.close();
    }
  });

  it("a model server that cannot be reached: 503 naming MODEL_ENDPOINT, never its address", async () => {
    const port = await freePort();
    const answer = await complete({ MODEL_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ detail: "The model server (MODEL_ENDPOINT) cannot be reached" });
    expect(answer.text).not.toContain(String(port));
  });

  it("a model slower than MODEL_TIMEOUT_MS: 504, and the model's request is cancelled", async () => {
    const { model } = world();
    const before = model.received.length;
    world().model.configure({ firstChunkDelayMs: 5_000 });
    try {
      for (const stream of [false, true]) {
        const answer = await complete({ MODEL_TIMEOUT_MS: "300" }, { stream });
        expect({ stream, status: answer.status, body: answer.json }).toEqual({
          stream,
          status: 504,
          body: { detail: "The model server did not answer within MODEL_TIMEOUT_MS" },
        });
      }
      await eventually(() => model.received.slice(before).every((request) => request.aborted));
    } finally {
      world().model.configure({});
    }
  });

  it.each([
    [
      "vLLM's error body",
      { failure: { status: 400, format: "vllm" as const, message: "too long: SECRET-PROMPT" } },
    ],
    [
      "Ollama's error body",
      {
        failure: {
          status: 500,
          format: "ollama" as const,
          message: "model not found SECRET-PROMPT",
        },
      },
    ],
    ["a chat completion instead of a text completion", { answer: "not-a-completion" as const }],
    ["an HTML page", { answer: "not-json" as const }],
  ])("%s: 502, the model's message in neither the answer nor the log", async (_case, options) => {
    for (const stream of [false, true]) {
      const answer = await completeWith(options, { stream });
      expect({ stream, status: answer.status, body: answer.json }).toEqual({
        stream,
        status: 502,
        body: { detail: "The model server's answer is not a completion" },
      });
      expect(answer.logs).not.toContain("SECRET-PROMPT");
    }
  });

  it("a completion over 100,000 characters: 502", async () => {
    const answer = await completeWith({ completion: "x".repeat(100_001), chunks: 1 });
    expect(answer.status).toBe(502);
  });

  it("MODEL_API_KEY is sent as a bearer token, and a wrong one is the model's refusal (502)", async () => {
    const { model } = world();
    model.configure({ apiKey: "model-key-0123456789" });
    try {
      const before = model.received.length;
      const ok = await complete({ MODEL_API_KEY: "model-key-0123456789" });
      expect(ok.status).toBe(200);
      expect(model.received[before]?.headers.authorization).toBe("Bearer model-key-0123456789");
      expect(ok.logs).not.toContain("model-key-0123456789");
      const refused = await complete({ MODEL_API_KEY: "wrong-key-0123456789" });
      expect(refused.status).toBe(502);
      expect(refused.text).not.toContain("wrong-key");
    } finally {
      model.configure({});
    }
  });
});
