import type { SaasConfig } from "@token-broker/saas/config";
import { fixedToken, freePort, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sample, samples, scrape } from "../support/metrics.ts";
import { startSaas, startSelfManaged } from "../support/services.ts";
import { requestToken, TOKENS_PATH } from "../support/token-request.ts";
import { decodeProtectedHeader } from "../support/verify-token.ts";

let saas: RunningService<SaasConfig>;
let kid: string | undefined;
let text: string;

beforeAll(async () => {
  saas = await startSaas({ env: { TOKENS_RATE_LIMIT_PER_USER: "3" } });
  const { token } = await saas.fixtures.userWithToken();
  const disabled = await saas.fixtures.userWithToken({ codeSuggestions: false });
  // A known sequence: 3 issued, 1 rate-limited, 1 refused by policy, 1 unknown token.
  for (let i = 0; i < 3; i += 1) {
    const { body } = await requestToken(saas.url, token);
    kid = decodeProtectedHeader((body as { access_token: string }).access_token).kid;
  }
  expect((await requestToken(saas.url, token)).status).toBe(429);
  expect((await requestToken(saas.url, disabled.token)).status).toBe(401);
  expect((await requestToken(saas.url, fixedToken("unknown"))).status).toBe(401);
  expect((await fetch(`${saas.url}/api/v4/users/123`)).status).toBe(401);
  expect((await fetch(`${saas.url}/no/such/path/4567`)).status).toBe(404);

  const scraped = await scrape(saas.url);
  expect(scraped.status).toBe(200);
  expect(scraped.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  text = scraped.text;
});
afterAll(() => saas?.close());

describe("GET /-/metrics on SaaS", () => {
  it("counts token requests by outcome", () => {
    const outcomes = Object.fromEntries(
      samples(text, "code_suggestions_tokens_total").map((s) => [s.labels.outcome, s.value]),
    );
    expect(outcomes).toEqual({
      issued: 3,
      rate_limited: 1,
      upstream_error: 0,
      user_code_suggestions_disabled: 1,
      unknown: 1,
    });
  });

  it("counts HTTP requests by route template and status, never by raw URL", () => {
    const tokens = { method: "POST", route: TOKENS_PATH };
    expect(sample(text, "http_requests_total", { ...tokens, status: "201" })).toBe(3);
    expect(sample(text, "http_requests_total", { ...tokens, status: "429" })).toBe(1);
    expect(sample(text, "http_requests_total", { ...tokens, status: "401" })).toBe(2);
    expect(sample(text, "http_request_duration_seconds_count", tokens)).toBe(6);
    expect(sample(text, "http_requests_total", { route: "/api/v4/users/:id", status: "401" })).toBe(
      1,
    );
    expect(sample(text, "http_requests_total", { route: "unmatched", status: "404" })).toBe(1);
    expect(text).not.toContain("/api/v4/users/123");
    expect(text).not.toContain("4567");
  });

  it("counts cache lookups: every token lookup a hit or a miss", () => {
    const lookups = samples(text, "cache_requests_total").filter(
      (s) => s.labels.cache === "tokens",
    );
    expect(lookups.map((s) => s.labels.result).sort()).toEqual(["hit", "miss"]);
    expect(lookups.reduce((sum, s) => sum + s.value, 0)).toBe(6);
    expect(
      sample(text, "cache_requests_total", { cache: "subjects", result: "miss" }),
    ).toBeGreaterThan(0);
  });

  it("names the signing key, and has the store errors counter and Node's metrics", () => {
    expect(kid).toEqual(expect.any(String));
    expect(samples(text, "signing_key_info")).toEqual([{ labels: { kid }, value: 1 }]);
    expect(sample(text, "rate_limit_store_errors_total")).toBe(0);
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(text).not.toContain("saas_request_duration_seconds");
  });
});

describe("the metrics allowlist", () => {
  it("answers 404, as for an unknown path, to a client outside METRICS_ALLOWED_IPS", async () => {
    const closed = await startSaas({ env: { METRICS_ALLOWED_IPS: "10.0.0.1/32" } });
    try {
      const response = await scrape(closed.url);
      expect(response.status).toBe(404);
      const unknown = await fetch(`${closed.url}/-/unknown`);
      expect(response.text).toBe(await unknown.text());
      expect(response.text).not.toContain("http_requests_total");
    } finally {
      await closed.close();
    }
  });
});

describe("GET /-/metrics on self-managed", () => {
  it("counts SaaS failures as upstream errors, with SaaS's answer time", async () => {
    const selfManaged = await startSelfManaged(`http://127.0.0.1:${await freePort()}`);
    try {
      await selfManaged.fixtures.settings({
        instanceLevelCodeSuggestionsEnabled: true,
        aiAccessToken: "glpat-servicetokenservicet",
      });
      const { token } = await selfManaged.fixtures.userWithToken();
      expect((await requestToken(selfManaged.url, token)).status).toBe(502);
      const { text: scraped } = await scrape(selfManaged.url);
      expect(sample(scraped, "code_suggestions_tokens_total", { outcome: "upstream_error" })).toBe(
        1,
      );
      expect(sample(scraped, "saas_request_duration_seconds_count", { status: "error" })).toBe(1);
      expect(scraped).not.toContain("signing_key_info");
    } finally {
      await selfManaged.close();
    }
  });
});
