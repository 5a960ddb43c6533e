import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sample, scrape } from "../support/metrics.ts";
import { requestToken, TOKENS_PATH } from "../support/token-request.ts";
import { configuredSelfManaged, saasWithServiceAccount } from "./instances.ts";

const TOO_MANY = { message: "This endpoint has been requested too many times. Try again later." };

let saas: RunningService<SaasConfig>;
let limitedSaas: RunningService<SaasConfig>;
let selfManaged: RunningService<SelfManagedConfig>;
let behindLimitedSaas: RunningService<SelfManagedConfig>;
beforeAll(async () => {
  const [open, limited] = await Promise.all([
    saasWithServiceAccount(),
    saasWithServiceAccount({ env: { TOKENS_RATE_LIMIT_PER_INSTANCE: "1" } }),
  ]);
  saas = open.saas;
  limitedSaas = limited.saas;
  [selfManaged, behindLimitedSaas] = await Promise.all([
    configuredSelfManaged(saas.url, open.serviceToken, { TOKENS_RATE_LIMIT_PER_USER: "2" }),
    configuredSelfManaged(limitedSaas.url, limited.serviceToken),
  ]);
});
afterAll(() =>
  Promise.all([selfManaged, behindLimitedSaas, saas, limitedSaas].map((s) => s?.close())),
);

const tokenRequestsTo = (service: RunningService<SaasConfig>) =>
  service.received.filter((request) => request.url === TOKENS_PATH).length;

describe("self-managed rate limits", () => {
  it("limits each user on the self-managed instance, before asking SaaS", async () => {
    const { token } = await selfManaged.fixtures.userWithToken();
    const before = tokenRequestsTo(saas);
    for (const remaining of ["1", "0"]) {
      const response = await requestToken(selfManaged.url, token);
      expect(response.status).toBe(201);
      // The user's own limit, not SaaS's limit for the whole instance.
      expect(response.headers.get("ratelimit-limit")).toBe("2");
      expect(response.headers.get("ratelimit-remaining")).toBe(remaining);
    }
    const refused = await requestToken(selfManaged.url, token);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(TOO_MANY);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(tokenRequestsTo(saas) - before).toBe(2);
  });

  it("relays SaaS's 429 for the instance with its Retry-After and RateLimit headers", async () => {
    const first = await behindLimitedSaas.fixtures.userWithToken();
    const second = await behindLimitedSaas.fixtures.userWithToken();
    expect((await requestToken(behindLimitedSaas.url, first.token)).status).toBe(201);

    const refused = await requestToken(behindLimitedSaas.url, second.token);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(TOO_MANY);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-limit")).toBe("1");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("ratelimit-reset")).toBe(String(retryAfter));

    const { text } = await scrape(behindLimitedSaas.url);
    expect(sample(text, "code_suggestions_tokens_total", { outcome: "issued" })).toBe(1);
    expect(sample(text, "code_suggestions_tokens_total", { outcome: "rate_limited" })).toBe(1);
    expect(sample(text, "saas_request_duration_seconds_count", { status: "201" })).toBe(1);
    expect(sample(text, "saas_request_duration_seconds_count", { status: "429" })).toBe(1);
  });
});
