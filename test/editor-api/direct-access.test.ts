import type { SaasConfig } from "@token-broker/saas/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import { languageServer } from "./support/language-server.ts";
import { type RecordingGateway, startRecordingGateway } from "./support/recording-gateway.ts";

const DIRECT_ACCESS = "/api/v4/code_suggestions/direct_access";

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

function post(token: string, init: { body?: string; type?: string } = {}) {
  return fetch(`${saas.url}${DIRECT_ACCESS}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.type ? { "content-type": init.type } : {}),
    },
    body: init.body,
  });
}

describe("POST /api/v4/code_suggestions/direct_access", () => {
  it("gives the gateway's user token, the gateway's URL and the headers to send with it", async () => {
    const { token } = await saas.fixtures.userWithToken();
    const before = gateway.received.length;
    const answer = await languageServer(saas.url, token).directAccess();
    expect(answer.status).toBe(201);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const details = answer.json as { headers: Record<string, string> };
    expect(details).toEqual({
      base_url: gateway.url,
      token: "header.payload.signature",
      expires_at: 1_900_000_000,
      headers: {
        "X-Gitlab-Instance-Id": expect.any(String),
        "X-Gitlab-Realm": "saas",
        "X-Gitlab-Global-User-Id": expect.stringMatching(/^[0-9a-f]{64}$/),
        "X-Gitlab-Host-Name": "127.0.0.1",
        "X-Gitlab-Version": "17.2.0",
        "X-Gitlab-Authentication-Type": "oidc",
      },
    });
    const [request] = gateway.received.slice(before);
    expect(request?.url).toBe("/v1/code/user_access_token");
    // The gateway is asked with this instance's token and the same identity.
    for (const [name, value] of Object.entries(details.headers)) {
      expect(request?.headers[name.toLowerCase()]).toBe(value);
    }
    expect(String(request?.headers.authorization)).toMatch(/^Bearer ey/);
    expect(JSON.stringify(request)).not.toContain(token);
  });

  it("accepts an empty JSON body, {}, {project_path} and no body at all; refuses malformed JSON", async () => {
    const { token } = await saas.fixtures.userWithToken();
    const bodies = [
      { type: "application/json", body: "" },
      { type: "application/json", body: "{}" },
      { type: "application/json", body: '{"project_path":"group/project"}' },
      {},
    ];
    for (const init of bodies)
      expect([init, (await post(token, init)).status]).toEqual([init, 201]);
    const malformed = await post(token, { type: "application/json", body: "{not json" });
    expect([malformed.status, await malformed.json()]).toEqual([
      400,
      { message: "400 Bad request" },
    ]);
    expect(malformed.headers.get("x-gitlab-error-origin")).toBe("monolith");
  });

  it("answers 403 while disabled_direct_code_suggestions is on", async () => {
    const { token } = await saas.fixtures.userWithToken();
    const settings = saas.database.prisma.applicationSetting;
    await settings.update({ where: { id: 1 }, data: { disabledDirectCodeSuggestions: true } });
    try {
      await expect.poll(async () => (await post(token)).status).toBe(403);
      const refused = await post(token);
      expect(await refused.json()).toEqual({
        message: "403 Forbidden - Direct connections are disabled",
      });
      expect(refused.headers.get("x-gitlab-error-origin")).toBe("monolith");
    } finally {
      await settings.update({ where: { id: 1 }, data: { disabledDirectCodeSuggestions: false } });
    }
    await expect.poll(async () => (await post(token)).status).toBe(201);
  });

  it.each([
    [
      "refuses",
      async (_r: unknown, reply: { code: (c: number) => { send: (b: unknown) => unknown } }) =>
        reply
          .code(403)
          .send({ detail: "Unauthorized to create user access token for code suggestions" }),
    ],
    [
      "answers something that is not a token",
      async () => ({ token: "not a jwt\r\n", expires_at: 1 }),
    ],
    ["is too slow", async () => new Promise((resolve) => setTimeout(() => resolve({}), 3_000))],
  ])("answers 503 Token creation failed when the gateway %s", async (_why, handler) => {
    const { token } = await saas.fixtures.userWithToken();
    gateway.answer("/v1/code/user_access_token", handler as never);
    const response = await post(token, { type: "application/json", body: "" });
    expect([response.status, await response.json()]).toEqual([
      503,
      { message: "Token creation failed" },
    ]);
    expect(response.headers.get("x-gitlab-error-origin")).toBe("monolith");
  });

  it("limits each user to DIRECT_ACCESS_RATE_LIMIT_PER_USER a minute, and refuses users the policy refuses", async () => {
    const limited = await startSaas({
      env: { AI_GATEWAY_URL: gateway.url, DIRECT_ACCESS_RATE_LIMIT_PER_USER: "1" },
    });
    try {
      const { token } = await limited.fixtures.userWithToken();
      const ls = languageServer(limited.url, token);
      expect([(await ls.directAccess()).status, (await ls.directAccess()).status]).toEqual([
        201, 429,
      ]);
      const { token: refused } = await limited.fixtures.userWithToken({ codeSuggestions: false });
      const answer = await languageServer(limited.url, refused).directAccess();
      expect([answer.status, answer.json]).toEqual([401, { message: "401 Unauthorized" }]);
    } finally {
      await limited.close();
    }
  });
});
