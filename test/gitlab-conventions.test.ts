import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSaas, startSelfManaged } from "./support/services.ts";

const METADATA = {
  version: "17.2.0",
  revision: expect.stringMatching(/^([0-9a-f]{7,40}|\d+\.\d+\.\d+.*)$/),
  kas: { enabled: false, externalUrl: null, version: null },
  enterprise: true,
};

let saas: RunningService<SaasConfig>;
let selfManaged: RunningService<SelfManagedConfig>;
const services = () =>
  [
    ["SaaS", saas],
    ["self-managed", selfManaged],
  ] as const;

beforeAll(async () => {
  saas = await startSaas();
  selfManaged = await startSelfManaged(saas.url);
});
afterAll(async () => {
  await selfManaged?.close();
  await saas?.close();
});

async function get(url: string, token?: string, init: RequestInit = {}) {
  const response = await fetch(url, {
    ...init,
    headers: token ? { "private-token": token } : {},
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: await response.text(),
  };
}

describe("GET /api/v4/version and /api/v4/metadata", () => {
  it.each(["api", "read_api", "read_user", "ai_features"])(
    "answer GitLab 17.2.0's (GITLAB_VERSION's default) metadata to a %s token on both services",
    async (scope) => {
      for (const [, service] of services()) {
        const { token } = await service.fixtures.userWithToken({}, { scopes: [scope] });
        for (const path of ["/api/v4/version", "/api/v4/metadata"]) {
          const { status, body } = await get(`${service.url}${path}`, token);
          expect([path, status]).toEqual([path, 200]);
          expect(JSON.parse(body)).toEqual(METADATA);
        }
      }
    },
  );

  it("answer 401 without a token, or with a revoked one", async () => {
    for (const [, service] of services()) {
      const { token } = await service.fixtures.userWithToken({}, { revoked: true });
      for (const credential of [undefined, token]) {
        const { status } = await get(`${service.url}/api/v4/version`, credential);
        expect(status).toBe(401);
      }
    }
  });
});

describe("Content-Type: application/json exactly, as GitLab's API answers", () => {
  it.each([
    ["a route's answer", "GET", "/api/v4/user", true, 200],
    ["the metadata", "GET", "/api/v4/metadata", true, 200],
    ["an authentication refusal", "GET", "/api/v4/user", false, 401],
    ["a 404 of an unknown path", "GET", "/api/v4/nothing-here", true, 404],
    ["a validation error", "GET", "/api/v4/users?per_page=0", true, 400],
    ["the token API's refusal", "POST", "/api/v4/code_suggestions/tokens", false, 401],
    ["a health answer", "GET", "/-/readiness", false, 200],
    ["a 404 of a missing resource", "GET", "/api/v4/users/999999", true, 404],
  ])("on %s (%s %s)", async (_what, method, path, authenticated, status) => {
    for (const [name, service] of services()) {
      const { token } = await service.fixtures.userWithToken({ admin: true });
      const answer = await get(`${service.url}${path}`, authenticated ? token : undefined, {
        method,
      });
      expect([name, answer.status, answer.type]).toEqual([name, status, "application/json"]);
      expect(() => JSON.parse(answer.body)).not.toThrow();
    }
  });

  it("on the tokens issued through self-managed", async () => {
    const bot = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: bot.user.id,
    });
    await selfManaged.fixtures.settings({
      instanceLevelCodeSuggestionsEnabled: true,
      aiAccessToken: bot.token,
    });
    const developer = await selfManaged.fixtures.userWithToken();
    const answer = await get(`${selfManaged.url}/api/v4/code_suggestions/tokens`, developer.token, {
      method: "POST",
    });
    expect([answer.status, answer.type]).toEqual([201, "application/json"]);
  });
});

describe("repeated slashes count as one, as in GitLab's router", () => {
  it.each(["//api/v4/user", "/api//v4/user", "/api/v4//user"])(
    "%s is /api/v4/user",
    async (path) => {
      for (const [, service] of services()) {
        const { user, token } = await service.fixtures.userWithToken();
        const answer = await get(`${service.url}${path}`, token);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ id: user.id, username: user.username });
      }
    },
  );

  it("/api/v4/features//<name> sets the feature", async () => {
    const { token } = await saas.fixtures.userWithToken({ admin: true });
    const response = await fetch(
      `${saas.url}/api/v4/features//code_suggestions_for_instance_admin_enabled`,
      {
        method: "POST",
        headers: { "private-token": token, "content-type": "application/json" },
        body: JSON.stringify({ value: false }),
      },
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      name: "code_suggestions_for_instance_admin_enabled",
      state: "off",
    });
  });
});

describe("a trailing slash is accepted on every path, as in GitLab's router", () => {
  it.each([
    ["GET", "/api/v4/user/"],
    ["GET", "/api/v4/features/"],
    ["GET", "/api/v4/groups/"],
    ["GET", "/api/v4/version/"],
    ["POST", "/api/v4/code_suggestions/tokens/"],
  ])("%s %s is served as without it", async (method, path) => {
    for (const [, service] of services()) {
      const { token } = await service.fixtures.userWithToken({ admin: true });
      const withSlash = await get(`${service.url}${path}`, token, { method });
      const without = await get(`${service.url}${path.slice(0, -1)}`, token, { method });
      expect(withSlash.status).not.toBe(404);
      expect(withSlash.status).toBe(without.status);
    }
  });
});
