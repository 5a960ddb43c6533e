import type { SaasConfig } from "@token-broker/saas/config";
import { freePort, type RunningService } from "@token-broker/testing";
import { afterAll, describe, expect, it } from "vitest";
import { sample, scrape } from "../support/metrics.ts";
import { redisEnv } from "../support/redis.ts";
import { startSaas } from "../support/services.ts";
import { requestToken } from "../support/token-request.ts";

const WARNING = "rate limits not enforced: their Redis does not answer";

const started: RunningService<SaasConfig>[] = [];
afterAll(() => Promise.all(started.map((service) => service.close())));

async function saas(options: Parameters<typeof startSaas>[0]) {
  const service = await startSaas(options);
  started.push(service);
  return service;
}

describe("rate limits in Redis", () => {
  it("are shared by every replica: the limit is global", async () => {
    const env = { ...redisEnv(), TOKENS_RATE_LIMIT_PER_USER: "4" };
    const first = await saas({ env });
    const second = await saas({ env, replicaOf: first });
    const { token } = await first.fixtures.userWithToken();

    const answers = [];
    for (const replica of [first, second, first, second, first, second]) {
      const response = await requestToken(replica.url, token);
      answers.push([response.status, response.headers.get("ratelimit-remaining")]);
    }
    expect(answers).toEqual([
      [201, "3"],
      [201, "2"],
      [201, "1"],
      [201, "0"],
      [429, "0"],
      [429, "0"],
    ]);
  });

  it("keep apart deployments with other key prefixes", async () => {
    const env = { TOKENS_RATE_LIMIT_PER_USER: "1" };
    const first = await saas({ env: { ...env, ...redisEnv() } });
    const other = await saas({ env: { ...env, ...redisEnv() }, replicaOf: first });
    const { token } = await first.fixtures.userWithToken();
    expect((await requestToken(first.url, token)).status).toBe(201);
    expect((await requestToken(other.url, token)).status).toBe(201);
    expect((await requestToken(first.url, token)).status).toBe(429);
  });

  it("fail open when Redis does not answer: served, one warning, every failure counted", async () => {
    const closedPort = await freePort();
    const service = await saas({
      env: {
        ...redisEnv(`redis://127.0.0.1:${closedPort}`),
        TOKENS_RATE_LIMIT_PER_USER: "1",
      },
    });
    const { token } = await service.fixtures.userWithToken();
    for (let i = 0; i < 3; i += 1) {
      expect((await requestToken(service.url, token)).status).toBe(201);
    }

    const warnings = service.logs.filter((line) => line.includes(WARNING));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? "{}")).toMatchObject({ level: 40 });
    const { text } = await scrape(service.url);
    expect(sample(text, "rate_limit_store_errors_total")).toBe(3);
    expect(sample(text, "code_suggestions_tokens_total", { outcome: "issued" })).toBe(3);
  });
});
