import type { SaasConfig } from "@token-broker/saas/config";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import { requestToken } from "../support/token-request.ts";

const TOO_MANY = { message: "This endpoint has been requested too many times. Try again later." };

/** The headers of a token request made by a self-managed instance on a user's behalf. */
function relayed(instanceId: string): Record<string, string> {
  return {
    "user-agent": "gitlab-workhorse (test)",
    "x-gitlab-realm": "self-managed",
    "x-gitlab-instance-id": instanceId,
  };
}

let saas: RunningService<SaasConfig>;
let unlimited: RunningService<SaasConfig>;
beforeAll(async () => {
  [saas, unlimited] = await Promise.all([
    startSaas({ env: { TOKENS_RATE_LIMIT_PER_USER: "3", TOKENS_RATE_LIMIT_PER_INSTANCE: "2" } }),
    startSaas({ env: { TOKENS_RATE_LIMIT_PER_USER: "0", TOKENS_RATE_LIMIT_PER_INSTANCE: "0" } }),
  ]);
});
afterAll(() => Promise.all([saas?.close(), unlimited?.close()]));

describe("rate limit per user (in memory)", () => {
  it("counts down in RateLimit headers, then answers GitLab's 429 with Retry-After", async () => {
    const { token } = await saas.fixtures.userWithToken();
    for (const remaining of ["2", "1", "0"]) {
      const response = await requestToken(saas.url, token);
      expect(response.status).toBe(201);
      expect(response.headers.get("ratelimit-limit")).toBe("3");
      expect(response.headers.get("ratelimit-remaining")).toBe(remaining);
      const reset = Number(response.headers.get("ratelimit-reset"));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
      expect(response.headers.get("retry-after")).toBeNull();
    }

    const refused = await requestToken(saas.url, token);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(TOO_MANY);
    expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
    expect(refused.headers.get("ratelimit-limit")).toBe("3");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-reset")).toBe(String(retryAfter));
  });

  it("counts each user on their own", async () => {
    const first = await saas.fixtures.userWithToken();
    const second = await saas.fixtures.userWithToken();
    for (let i = 0; i < 4; i += 1) await requestToken(saas.url, first.token);
    expect((await requestToken(saas.url, first.token)).status).toBe(429);
    const other = await requestToken(saas.url, second.token);
    expect(other.status).toBe(201);
    expect(other.headers.get("ratelimit-remaining")).toBe("2");
  });

  it("counts only authenticated requests, after authentication", async () => {
    for (let i = 0; i < 5; i += 1) {
      const response = await requestToken(saas.url, fixedToken("unknown"));
      expect(response.status).toBe(401);
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    }
  });

  it("is off at 0: no limit and no RateLimit headers", async () => {
    const { token } = await unlimited.fixtures.userWithToken();
    for (let i = 0; i < 8; i += 1) {
      const response = await requestToken(unlimited.url, token);
      expect(response.status).toBe(201);
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});

describe("rate limit per self-managed instance (SaaS, relayed requests)", () => {
  it("counts the service account's requests together, whatever instance id they carry", async () => {
    const { user, token } = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: user.id,
    });
    for (const [instanceId, remaining] of [
      ["instance-a", "1"],
      ["instance-b", "0"],
    ] as const) {
      const response = await requestToken(saas.url, token, { headers: relayed(instanceId) });
      expect(response.status).toBe(201);
      expect(response.headers.get("ratelimit-limit")).toBe("2");
      expect(response.headers.get("ratelimit-remaining")).toBe(remaining);
    }
    // A new instance id is no new count: the account's limit is spent.
    const refused = await requestToken(saas.url, token, { headers: relayed("instance-c") });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(TOO_MANY);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    // The account's direct requests count apart, per user.
    const direct = await requestToken(saas.url, token);
    expect(direct.status).toBe(201);
    expect(direct.headers.get("ratelimit-limit")).toBe("3");
  });

  it("counts each service account on its own", async () => {
    const accounts = [];
    for (let i = 0; i < 2; i += 1) {
      const account = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
      await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
        enabled: true,
        userId: account.user.id,
      });
      accounts.push(account);
    }
    const [first, second] = accounts as [(typeof accounts)[0], (typeof accounts)[0]];
    for (let i = 0; i < 2; i += 1) {
      await requestToken(saas.url, first.token, { headers: relayed("shared-id") });
    }
    expect(
      (await requestToken(saas.url, first.token, { headers: relayed("shared-id") })).status,
    ).toBe(429);
    const other = await requestToken(saas.url, second.token, { headers: relayed("shared-id") });
    expect(other.status).toBe(201);
    expect(other.headers.get("ratelimit-remaining")).toBe("1");
  });
});
