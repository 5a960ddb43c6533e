import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ModelServer, startModelServer } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completionBody, gatewayPost, instanceToken, useGatewayWorld } from "./gateway-world.ts";
import { gatewayTestSigningKey } from "./running-gateway.ts";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const marker = (label: string) => `${label}-${randomBytes(8).toString("hex")}`;

const PREFIX = marker("PREFIX");
const SUFFIX = marker("SUFFIX");
const CONTEXT = marker("CONTEXT");
const COMPLETION = marker("COMPLETION");
const MODEL_ERROR = marker("MODEL-ERROR");
const MODEL_API_KEY = marker("MODEL-API-KEY");
const SECRETS = [PREFIX, SUFFIX, CONTEXT, COMPLETION, MODEL_ERROR, MODEL_API_KEY];

const world = useGatewayWorld();
let model: ModelServer;
let gateway: ChildProcess;
let gatewayUrl: string;
let output = "";

/**
 * The gateway as production runs it (its process entry point), logging everything
 * (LOG_LEVEL=trace), driven through every path a completion takes — answered, streamed both
 * ways, refused, failed — with code and a model key that are recognisable; afterwards none
 * of them may appear in its output, its error bodies or its metrics.
 */
beforeAll(async () => {
  model = await startModelServer({ completion: COMPLETION, chunks: 4, apiKey: MODEL_API_KEY });
  gateway = spawn(
    process.execPath,
    ["--import", "tsx", path.join(repositoryRoot, "apps/ai-gateway/src/server.ts")],
    {
      cwd: repositoryRoot,
      env: {
        PATH: process.env.PATH,
        PORT: "0",
        LOG_LEVEL: "trace",
        LOG_FORMAT: "json",
        AI_GATEWAY_TRUSTED_ISSUERS: world().saas.url,
        AI_GATEWAY_SIGNING_KEY: gatewayTestSigningKey(),
        MODEL_ENDPOINT: model.url,
        MODEL_NAME: "stand-in-coder",
        MODEL_API_KEY,
        MODEL_PROMPT_FORMAT: "starcoder",
      },
    },
  );
  for (const stream of [gateway.stdout, gateway.stderr]) {
    stream?.on("data", (chunk) => {
      output += chunk;
    });
  }
  gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the gateway did not start:\n${output}`)),
      60_000,
    );
    gateway.stdout?.on("data", () => {
      const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    gateway.once("exit", () => reject(new Error(`the gateway exited:\n${output}`)));
  });
});
afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway.once("exit", resolve));
    gateway.kill("SIGTERM");
    await exited;
  }
  await model?.close();
});

describe("privacy: users' code and the model's key never reach a log line, an error body or a metric", () => {
  it("at LOG_LEVEL=trace, through every path a completion takes", async () => {
    const auth = await instanceToken(world());
    const body = (changes: Record<string, unknown> = {}) =>
      completionBody({
        current_file: {
          file_name: "secret.py",
          content_above_cursor: PREFIX,
          content_below_cursor: SUFFIX,
          language_identifier: "python",
        },
        context: [{ type: "file", name: "other.py", content: CONTEXT }],
        ...changes,
      });
    const answers: string[] = [];
    const post = async (route: string, payload: unknown, rawBody?: string) => {
      const answer = await gatewayPost(gatewayUrl, route, {
        ...auth,
        ...(rawBody !== undefined ? { rawBody } : { body: payload }),
      });
      answers.push(answer.text);
      return answer;
    };

    // Answered, streamed raw, streamed as events: the completion reaches the client only.
    expect((await post("/v2/code/completions", body())).text).toContain(COMPLETION);
    expect((await post("/v2/code/completions", body({ stream: true }))).text).toBe(COMPLETION);
    expect((await post("/v4/code/suggestions", body({ stream: true }))).status).toBe(200);
    // Refused: too long (with the code in it), not JSON (the code in the broken body).
    const tooLong = body();
    tooLong.current_file.content_above_cursor = `${PREFIX}${"x".repeat(100_000)}`;
    expect((await post("/v2/code/completions", tooLong)).status).toBe(422);
    expect(
      (await post("/v2/code/completions", undefined, `{"current_file":"${PREFIX}`)).status,
    ).toBe(422);
    // The model failing with its own message (vLLM quotes the prompt in some errors).
    model.configure({
      apiKey: MODEL_API_KEY,
      failure: { status: 400, format: "vllm", message: `${MODEL_ERROR} ${PREFIX}` },
    });
    expect((await post("/v2/code/completions", body())).status).toBe(502);
    model.configure({
      apiKey: MODEL_API_KEY,
      failure: { status: 500, format: "ollama", message: `${MODEL_ERROR} ${SUFFIX}` },
    });
    expect((await post("/v2/code/completions", body({ stream: true }))).status).toBe(502);
    // The model answering something else than a completion, with the code in it.
    model.configure({
      apiKey: MODEL_API_KEY,
      answer: "not-a-completion",
      completion: `${COMPLETION}${PREFIX}`,
    });
    expect((await post("/v2/code/completions", body())).status).toBe(502);
    model.configure({ completion: COMPLETION, chunks: 4, apiKey: MODEL_API_KEY });

    const metrics = await (await fetch(`${gatewayUrl}/-/metrics`)).text();
    // The logger writes every 100 ms: wait for every request's line.
    const requestLines = () => output.match(/"msg":"request (completed|errored)"/g)?.length ?? 0;
    const deadline = Date.now() + 5_000;
    while (requestLines() < answers.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(requestLines()).toBe(answers.length);
    expect(
      model.received.every(
        (request) => request.headers.authorization === `Bearer ${MODEL_API_KEY}`,
      ),
    ).toBe(true);
    for (const secret of SECRETS) {
      expect({ secret, inLog: output.includes(secret) }).toEqual({ secret, inLog: false });
      expect({ secret, inMetrics: metrics.includes(secret) }).toEqual({ secret, inMetrics: false });
    }
    for (const answer of answers.slice(3)) {
      for (const secret of SECRETS) expect(answer).not.toContain(secret);
    }
  });
});
