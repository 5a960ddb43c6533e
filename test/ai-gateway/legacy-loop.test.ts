import { describe, expect, it } from "vitest";
import {
  completionBody,
  gatewayPost,
  legacyToken,
  OIDC,
  PREFIX,
  SUFFIX,
  useGatewayWorld,
} from "./gateway-world.ts";

const world = useGatewayWorld({ model: { completion: "return a + b" } });

describe("the seed's loop: editor → self-managed → SaaS for a token, editor → gateway for a completion", () => {
  it("a token from POST /api/v4/code_suggestions/tokens (through self-managed) gets a completion from /v2/completions", async () => {
    const { gateway, model } = world();
    const token = await legacyToken(world());
    const before = model.received.length;
    const answer = await gatewayPost(gateway.url, "/v2/completions", {
      token,
      headers: OIDC,
      body: completionBody(),
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      id: expect.any(String),
      model: { engine: "openai-compatible", name: "stand-in-coder", lang: "python" },
      experiments: [],
      object: "text_completion",
      created: expect.any(Number),
      choices: [{ text: "return a + b", index: 0, finish_reason: "length" }],
    });
    // What the model server was asked: the configured model, the code around the cursor
    // (MODEL_PROMPT_FORMAT's default, `suffix`: the API's own field), no credential.
    const [sent] = model.received.slice(before);
    expect(sent?.url).toBe("/v1/completions");
    expect(sent?.body).toEqual({
      model: "stand-in-coder",
      prompt: PREFIX,
      suffix: SUFFIX,
      max_tokens: 128,
      temperature: 0.1,
      stream: false,
    });
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it("the same legacy token is refused on /v2/code/completions (aud gitlab-code-suggestions is not the gateway's)", async () => {
    const { gateway, model } = world();
    const token = await legacyToken(world());
    const before = model.received.length;
    const answer = await gatewayPost(gateway.url, "/v2/code/completions", {
      token,
      headers: OIDC,
      body: completionBody(),
    });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "Forbidden by auth provider" });
    expect(model.received.length).toBe(before);
  });

  it("a legacy token is refused on /v4/code/suggestions and cannot mint a user token", async () => {
    const { gateway } = world();
    const token = await legacyToken(world());
    for (const path of ["/v4/code/suggestions", "/v1/code/user_access_token"]) {
      const answer = await gatewayPost(gateway.url, path, {
        token,
        headers: OIDC,
        body: completionBody(),
      });
      expect({ path, status: answer.status, body: answer.json }).toEqual({
        path,
        status: 401,
        body: { error: "Forbidden by auth provider" },
      });
    }
  });
});
