import { beforeAll, describe, expect, it } from "vitest";
import { completionBody, gatewayPost, instanceToken, useGatewayWorld } from "./gateway-world.ts";

const world = useGatewayWorld();
let auth: { token: string; headers: Record<string, string> };
beforeAll(async () => {
  auth = await instanceToken(world());
});

function post(body: unknown, rawBody?: string) {
  return gatewayPost(world().gateway.url, "/v2/code/completions", {
    ...auth,
    ...(rawBody !== undefined ? { rawBody } : { body }),
  });
}

const file = (changes: Record<string, unknown>) =>
  completionBody({
    current_file: {
      file_name: "a.py",
      content_above_cursor: "",
      content_below_cursor: "",
      ...changes,
    },
  });

describe("AI gateway: input limits, answered 422 in FastAPI's shape", () => {
  it.each([
    [
      "no current_file",
      { prompt_version: 1 },
      [{ type: "missing", loc: ["body", "current_file"], msg: "Field required" }],
    ],
    [
      "content_above_cursor over 100,000 characters",
      file({ content_above_cursor: "a".repeat(100_001) }),
      [
        {
          type: "string_too_long",
          loc: ["body", "current_file", "content_above_cursor"],
          msg: "String should have at most 100000 characters",
          ctx: { max_length: 100000 },
        },
      ],
    ],
    [
      "content_below_cursor over 100,000 characters",
      file({ content_below_cursor: "b".repeat(100_001) }),
      [
        {
          type: "string_too_long",
          loc: ["body", "current_file", "content_below_cursor"],
          msg: "String should have at most 100000 characters",
          ctx: { max_length: 100000 },
        },
      ],
    ],
    [
      "file_name over 255 characters, language_identifier not a string",
      file({ file_name: "f".repeat(256), language_identifier: 7 }),
      [
        {
          type: "string_too_long",
          loc: ["body", "current_file", "file_name"],
          msg: "String should have at most 255 characters",
          ctx: { max_length: 255 },
        },
        {
          type: "string_type",
          loc: ["body", "current_file", "language_identifier"],
          msg: "Input should be a valid string",
        },
      ],
    ],
    [
      "project_path over 255 characters",
      completionBody({ project_path: "p".repeat(256) }),
      [
        {
          type: "string_too_long",
          loc: ["body", "project_path"],
          msg: "String should have at most 255 characters",
          ctx: { max_length: 255 },
        },
      ],
    ],
    [
      "more than 100 context items",
      completionBody({
        context: Array.from({ length: 101 }, () => ({ type: "file", name: "b.py", content: "" })),
      }),
      [
        {
          type: "too_long",
          loc: ["body", "context"],
          msg: "List should have at most 100 items after validation",
          ctx: { field_type: "List", max_length: 100 },
        },
      ],
    ],
    [
      "a context item without content",
      completionBody({ context: [{ type: "file", name: "b.py" }] }),
      [{ type: "missing", loc: ["body", "context", 0, "content"], msg: "Field required" }],
    ],
    [
      "prompt_version 2, stream not a boolean",
      completionBody({ prompt_version: 2, stream: "yes" }),
      [
        {
          type: "literal_error",
          loc: ["body", "prompt_version"],
          msg: "Input should be 1",
          ctx: { expected: "1" },
        },
        { type: "bool_type", loc: ["body", "stream"], msg: "Input should be a valid boolean" },
      ],
    ],
    [
      "a body that is not an object",
      [1, 2],
      [
        {
          type: "model_attributes_type",
          loc: ["body"],
          msg: "Input should be a valid dictionary or object to extract fields from",
        },
      ],
    ],
  ])("%s", async (_case, body, detail) => {
    const { model } = world();
    const before = model.received.length;
    const answer = await post(body);
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ detail });
    expect(model.received.length).toBe(before);
  });

  it("a body that is not JSON: 422 json_invalid, never echoed", async () => {
    const answer = await post(undefined, '{"current_file": {"content_above_cursor": "SECRET-CODE');
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({
      detail: [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error" }],
    });
  });

  it("exactly at the limits: answered", async () => {
    const answer = await post(
      file({
        file_name: "f".repeat(255),
        content_above_cursor: "a".repeat(100_000),
        content_below_cursor: "b".repeat(100_000),
      }),
    );
    expect(answer.status).toBe(200);
  });

  it("a validation answer never quotes the input (users' code)", async () => {
    const answer = await post(file({ content_above_cursor: `SECRET-${"a".repeat(100_000)}` }));
    expect(answer.status).toBe(422);
    expect(answer.text).not.toContain("SECRET-");
  });

  it("model_provider values GitLab sends and unknown fields are accepted; the client picks no endpoint", async () => {
    const { model } = world();
    for (const provider of [
      "gitlab",
      "litellm",
      "fireworks_ai",
      "codestral",
      "anthropic",
      "vertex-ai",
    ]) {
      const before = model.received.length;
      const answer = await post(
        completionBody({
          model_provider: provider,
          model_name: "whatever",
          model_endpoint: "http://169.254.169.254/",
          model_api_key: "client-key",
          telemetry: [],
          unknown_field: { nested: true },
        }),
      );
      expect({ provider, status: answer.status }).toEqual({ provider, status: 200 });
      const sent = model.received[before];
      expect(sent?.body.model).toBe("stand-in-coder");
      expect(sent?.headers.authorization).toBeUndefined();
    }
  });
});
