import { randomUUID } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import type { RunningService } from "@token-broker/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { REDIS_URL, redisEnv } from "../support/redis.ts";
import { startSaas } from "../support/services.ts";
import { requestToken } from "../support/token-request.ts";

// A probe sent 70 token requests with the service token, each with a new instance id: each
// was a new count (RateLimit-Remaining 5999 every time) and a new Redis key.
const REQUESTS = 70;
const PER_INSTANCE = 6000;

const started: RunningService<SaasConfig>[] = [];
afterAll(() => Promise.all(started.map((service) => service.close())));

async function serviceAccount(env: Record<string, string>) {
  const saas = await startSaas({ env });
  started.push(saas);
  const account = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
  await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
    enabled: true,
    userId: account.user.id,
  });
  return { saas, token: account.token };
}

/** Relayed token requests, each claiming an instance id never sent before. */
async function everyRequestANewInstance(saas: RunningService<SaasConfig>, token: string) {
  const remaining: string[] = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const response = await requestToken(saas.url, token, {
      headers: {
        "user-agent": "gitlab-workhorse (probe)",
        "x-gitlab-realm": "self-managed",
        "x-gitlab-instance-id": randomUUID(),
      },
    });
    expect(response.status).toBe(201);
    remaining.push(response.headers.get("ratelimit-remaining") ?? "none");
  }
  return remaining;
}

const ONE_COUNT = Array.from({ length: REQUESTS }, (_, i) => String(PER_INSTANCE - 1 - i));

describe("the per-instance rate limit is keyed by the authenticated service account", () => {
  it("in memory: 70 new instance ids are one count", async () => {
    const { saas, token } = await serviceAccount({});
    expect(await everyRequestANewInstance(saas, token)).toEqual(ONE_COUNT);
  });

  it("in Redis: 70 new instance ids are one count and one key", async () => {
    const env = redisEnv();
    const { saas, token } = await serviceAccount(env);
    expect(await everyRequestANewInstance(saas, token)).toEqual(ONE_COUNT);

    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
      expect(keys).toHaveLength(1);
      expect(await redis.get(keys[0] ?? "")).toBe(String(REQUESTS));
    } finally {
      redis.disconnect();
    }
  });
});
