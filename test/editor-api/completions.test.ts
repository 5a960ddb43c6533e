import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { SaasConfig } from "@token-broker/saas/config";
import type { RunningService } from "@token-broker/testing";
import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import {
  completionBody,
  LANGUAGE_SERVER_VERSION,
  languageServer,
  USER_AGENT,
} from "./support/language-server.ts";
import {
  COMPLETION,
  type RecordingGateway,
  startRecordingGateway,
} from "./support/recording-gateway.ts";

const MONOLITH = "monolith";

let gateway: RecordingGateway;
let saas: RunningService<SaasConfig>;
beforeAll(async () => {
  gateway = await startRecordingGateway();
  saas = await startSaas({ env: { AI_GATEWAY_URL: gateway.url, AI_GATEWAY_TIMEOUT_MS: "1500" } });
});
afterAll(async () => {
  await saas?.close();
  await gateway?.close();
});
afterEach(() => gateway.reset());

async function editor() {
  const { user, token } = await saas.fixtures.userWithToken();
  return { user, token, ls: languageServer(saas.url, token) };
}

/** What reached the gateway while `work` ran. */
async function receivedByGateway(work: () => Promise<unknown>) {
  const before = gateway.received.length;
  await work();
  return gateway.received.slice(before);
}

describe("POST /api/v4/code_suggestions/completions", () => {
  it("relays a completion with this instance's token and identity, and nothing of the editor's credentials", async () => {
    const { user, token, ls } = await editor();
    let status = 0;
    let body: unknown;
    const received = await receivedByGateway(async () => {
      const response = await ls.completion(completionBody("def add(a, b):\n    "), {
        cookie: `_gitlab_session=${token}`,
        "private-token": token,
        "x-request-id": "chosen-by-client",
        "x-gitlab-realm": "self-managed",
      });
      status = response.status;
      body = await response.json();
      expect(response.headers.get("content-type")).toBe("application/json");
    });
    expect(status).toBe(200);
    expect(body).toEqual(COMPLETION);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.url).toBe("/v2/code/completions");
    const { instanceUuid } = await saas.database.prisma.applicationSetting.findUniqueOrThrow({
      where: { id: 1 },
    });
    const headers = request?.headers ?? {};
    expect(headers).toMatchObject({
      "x-gitlab-authentication-type": "oidc",
      "x-gitlab-instance-id": instanceUuid,
      "x-gitlab-realm": "saas",
      "x-gitlab-global-user-id": createHash("sha256")
        .update(`${instanceUuid}${user.id}`)
        .digest("hex"),
      "x-gitlab-host-name": "127.0.0.1",
      "x-gitlab-version": "17.2.0",
      "user-agent": USER_AGENT,
      "x-gitlab-language-server-version": LANGUAGE_SERVER_VERSION,
    });
    // Exactly these (and HTTP's own: host, length, connection).
    expect(Object.keys(headers).sort()).toEqual([
      "authorization",
      "connection",
      "content-length",
      "content-type",
      "host",
      "user-agent",
      "x-gitlab-authentication-type",
      "x-gitlab-global-user-id",
      "x-gitlab-host-name",
      "x-gitlab-instance-id",
      "x-gitlab-language-server-version",
      "x-gitlab-realm",
      "x-gitlab-version",
      "x-request-id",
    ]);
    expect(headers["x-request-id"]).not.toBe("chosen-by-client");
    expect(headers.cookie).toBeUndefined();
    expect(headers["private-token"]).toBeUndefined();
    expect(JSON.stringify(request)).not.toContain(token);
    // The self-issued token: realm saas, SaaS's instance as subject.
    const gatewayToken = String(headers.authorization).replace(/^Bearer /, "");
    expect(decodeJwt(gatewayToken)).toMatchObject({
      aud: ["gitlab-ai-gateway"],
      sub: instanceUuid,
      gitlab_realm: "saas",
      gitlab_instance_id: instanceUuid,
    });
    expect(request?.body).toEqual(completionBody("def add(a, b):\n    "));
  });

  it("forwards the 100,000 characters nearest the cursor of sides up to 400,000, and refuses longer ones", async () => {
    const { ls } = await editor();
    const above = `${"a".repeat(300_000)}${"😀".repeat(10)}NEAR`;
    const below = `NEAR${"b".repeat(399_996)}`;
    const received = await receivedByGateway(async () => {
      expect((await ls.completion(completionBody(above, below))).status).toBe(200);
    });
    const forwarded = received[0]?.body as { current_file: Record<string, string> } | undefined;
    const file = forwarded?.current_file ?? {};
    expect([...(file.content_above_cursor ?? "")]).toHaveLength(100_000);
    expect(file.content_above_cursor?.endsWith(`${"😀".repeat(10)}NEAR`)).toBe(true);
    expect(file.content_below_cursor).toBe(below.slice(0, 100_000));

    for (const side of ["content_above_cursor", "content_below_cursor"] as const) {
      const body = completionBody("x", "y");
      body.current_file[side] = "z".repeat(400_001);
      const response = await ls.completion(body);
      expect(response.status).toBe(400);
      expect(response.headers.get("x-gitlab-error-origin")).toBe(MONOLITH);
      expect(await response.json()).toEqual({
        error: `current_file[${side}] is too long (maximum is 400000 characters)`,
      });
    }
    const noFile = await ls.completion({ prompt_version: 1 });
    expect([noFile.status, await noFile.json()]).toEqual([
      400,
      { error: "current_file is missing" },
    ]);
  });

  it("sends streamed generation to the SSE route when the editor supports it", async () => {
    const { ls } = await editor();
    const body = completionBody("# a function that adds\n", "", {
      intent: "generation",
      stream: true,
    });
    const received = await receivedByGateway(async () => {
      const response = await ls.completion(body, { "x-supports-sse-streaming": "true" });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      expect(response.headers.get("x-streaming-format")).toBe("sse");
      expect(await response.text()).toContain("event: stream_start");
      // Without the header it is the v2 route's stream.
      await (await ls.completion(body)).text();
    });
    expect(received.map((request) => request.url)).toEqual([
      "/v4/code/suggestions",
      "/v2/code/completions",
    ]);
  });

  it("relays a stream chunk by chunk, and cancels the gateway's request when the editor goes away", async () => {
    const { ls } = await editor();
    let next = () => {};
    let closed = false;
    gateway.answer("/v2/code/completions", async (request, reply) => {
      request.raw.on("close", () => {
        closed = true;
      });
      reply.raw.writeHead(200, { "content-type": "text/event-stream" });
      reply.raw.write("first chunk ");
      // The second chunk only once the editor has the first: a relay that buffered the
      // whole answer would never deliver it.
      await new Promise<void>((resolve) => {
        next = resolve;
      });
      reply.raw.write("second chunk ");
      return reply;
    });
    const abort = new AbortController();
    const response = await ls.completion(
      completionBody("def add(a, b):\n", "", { stream: true }),
      {},
      abort.signal,
    );
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe("first chunk ");
    next();
    expect(decoder.decode((await reader.read()).value)).toBe("second chunk ");
    abort.abort();
    for (let i = 0; i < 100 && !closed; i++) await delay(20);
    expect(closed).toBe(true);
  });

  it("cancels the gateway's request when the editor goes away before the gateway answers", async () => {
    const { ls } = await editor();
    let arrived = false;
    let closed = false;
    gateway.answer("/v2/code/completions", async (request, reply) => {
      arrived = true;
      request.raw.socket.on("close", () => {
        closed = true;
      });
      // A model that takes its time: no headers until long after the editor gave up (or
      // until the instance cancels).
      await Promise.race([
        delay(10_000),
        new Promise((resolve) => request.raw.socket.once("close", resolve)),
      ]);
      return reply.send(COMPLETION);
    });
    const abort = new AbortController();
    const pending = ls.completion(completionBody("x"), {}, abort.signal).catch(() => undefined);
    for (let i = 0; i < 100 && !arrived; i++) await delay(20);
    expect(arrived).toBe(true);
    abort.abort();
    await pending;
    for (let i = 0; i < 50 && !closed; i++) await delay(20);
    expect(closed).toBe(true);
  });

  it("relays the gateway's refusals as they are, without the instance's error origin", async () => {
    const { ls } = await editor();
    gateway.answer("/v2/code/completions", async (_request, reply) =>
      reply.code(422).send({ detail: [{ loc: ["body", "current_file"], msg: "field required" }] }),
    );
    const response = await ls.completion(completionBody("x"));
    expect(response.status).toBe(422);
    expect(response.headers.get("x-gitlab-error-origin")).toBeNull();
    expect(await response.json()).toEqual({
      detail: [{ loc: ["body", "current_file"], msg: "field required" }],
    });
  });

  it.each([
    [
      "answers with an HTML page",
      async (_request: unknown, reply: { type: (t: string) => { send: (b: string) => unknown } }) =>
        reply.type("text/html").send("<html>proxy error</html>"),
      502,
      { message: "502 Bad Gateway" },
    ],
    [
      "does not answer in time",
      async () => {
        await delay(3_000);
        return COMPLETION;
      },
      504,
      { message: "504 Gateway Timeout" },
    ],
  ])(
    "answers the instance's own error when the gateway %s",
    async (_why, handler, status, body) => {
      const { ls } = await editor();
      gateway.answer("/v2/code/completions", handler as never);
      const response = await ls.completion(completionBody("x"));
      expect(response.status).toBe(status);
      expect(response.headers.get("x-gitlab-error-origin")).toBe(MONOLITH);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toEqual(body);
    },
  );

  it("goes to the gateway the setting ai_gateway_url names, and answers 502 when it is unreachable", async () => {
    const { ls } = await editor();
    const settings = saas.database.prisma.applicationSetting;
    const other = await startRecordingGateway();
    try {
      await settings.update({ where: { id: 1 }, data: { aiGatewayUrl: other.url } });
      await expect.poll(async () => (await ls.completion(completionBody("x"))).status).toBe(200);
      expect(other.received.length).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
    const response = await ls.completion(completionBody("x"));
    expect(response.status).toBe(502);
    expect(response.headers.get("x-gitlab-error-origin")).toBe(MONOLITH);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ message: "502 Bad Gateway" });
    expect(text).not.toContain("127.0.0.1");
    await settings.update({ where: { id: 1 }, data: { aiGatewayUrl: null } });
    await expect.poll(async () => (await ls.completion(completionBody("x"))).status).toBe(200);
  });
});

describe("who may ask for completions", () => {
  it("authenticates before reading the body, GitLab's answers with the instance's error origin", async () => {
    const { token: readApi } = await saas.fixtures.userWithToken({}, { scopes: ["read_api"] });
    const cases = [
      { token: "glpat-unknownunknown0000", status: 401 },
      { token: readApi, status: 403 },
    ];
    for (const { token, status } of cases) {
      const received = await receivedByGateway(async () => {
        const response = await languageServer(saas.url, token).completion(completionBody("x"));
        expect(response.status).toBe(status);
        expect(response.headers.get("x-gitlab-error-origin")).toBe(MONOLITH);
      });
      expect(received).toEqual([]);
    }
    const anonymous = await fetch(`${saas.url}/api/v4/code_suggestions/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect([anonymous.status, await anonymous.json()]).toEqual([
      401,
      { message: "401 Unauthorized" },
    ]);
  });

  it("answers 401 to a user SaaS's policy refuses, and 404 while the ops flag is off", async () => {
    const { token } = await saas.fixtures.userWithToken({ codeSuggestions: false });
    const refused = await languageServer(saas.url, token).completion(completionBody("x"));
    expect([refused.status, await refused.json()]).toEqual([401, { message: "401 Unauthorized" }]);
    expect(refused.headers.get("x-gitlab-error-origin")).toBe(MONOLITH);

    const { ls } = await editor();
    await saas.fixtures.feature("code_suggestions_tokens_api", { enabled: false });
    try {
      await expect.poll(async () => (await ls.completion(completionBody("x"))).status).toBe(404);
    } finally {
      await saas.fixtures.forgetFeature("code_suggestions_tokens_api");
    }
    await expect.poll(async () => (await ls.completion(completionBody("x"))).status).toBe(200);
  });

  it("limits each user to COMPLETIONS_RATE_LIMIT_PER_USER a minute", async () => {
    const limited = await startSaas({
      env: { AI_GATEWAY_URL: gateway.url, COMPLETIONS_RATE_LIMIT_PER_USER: "2" },
    });
    try {
      const { token } = await limited.fixtures.userWithToken();
      const { token: other } = await limited.fixtures.userWithToken();
      const ls = languageServer(limited.url, token);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await ls.completion(completionBody("x"))).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await ls.completion(completionBody("x"));
      expect(refused.headers.get("retry-after")).not.toBeNull();
      expect(refused.headers.get("x-gitlab-error-origin")).toBe(MONOLITH);
      expect(
        (await languageServer(limited.url, other).completion(completionBody("x"))).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("the code is private", () => {
  it("never appears in the instance's log lines, answered or refused", async () => {
    const { ls } = await editor();
    const secret = `SECRET_${Date.now()}_CODE`;
    const logged = saas.logs.length;
    expect((await ls.completion(completionBody(`${secret} above`, `${secret} below`))).status).toBe(
      200,
    );
    gateway.answer("/v2/code/completions", async (_request, reply) =>
      reply.type("text/html").send(`<html>${secret}</html>`),
    );
    expect((await ls.completion(completionBody(secret))).status).toBe(502);
    const tooLong = completionBody(secret);
    tooLong.current_file.content_below_cursor = `${secret}${"z".repeat(400_000)}`;
    expect((await ls.completion(tooLong)).status).toBe(400);
    expect((await ls.completion({ current_file: { file_name: secret } })).status).toBe(400);
    const lines = saas.logs.slice(logged).join("");
    expect(lines).toContain("request completed");
    expect(lines).not.toContain(secret);
  });
});
