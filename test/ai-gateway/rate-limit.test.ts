import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisEnv } from "../support/redis.ts";
import {
  completionBody,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  useGatewayWorld,
} from "./gateway-world.ts";
import { startAiGateway } from "./running-gateway.ts";

const world = useGatewayWorld();
let replicas: Awaited<ReturnType<typeof startAiGateway>>[] = [];

beforeAll(async () => {
  const env = { ...gatewayEnv(world()), ...redisEnv(), AI_GATEWAY_RATE_LIMIT_PER_USER: "3" };
  replicas = [await startAiGateway({ env }), await startAiGateway({ env })];
});
afterAll(async () => {
  for (const replica of replicas) await replica.close();
});

async function status(replica: number, auth: { token: string; headers: Record<string, string> }) {
  const answer = await gatewayPost(replicas[replica]?.url ?? "", "/v2/code/completions", {
    ...auth,
    body: completionBody(),
  });
  return {
    status: answer.status,
    body: answer.status === 429 ? answer.json : undefined,
    headers: answer.headers,
  };
}

describe("AI gateway: completions per token subject per minute, counted in the shared Redis", () => {
  it("every replica counts in the same bucket; another subject has its own", async () => {
    const first = await instanceToken(world());
    expect((await status(0, first)).status).toBe(200);
    expect((await status(1, first)).status).toBe(200);
    const third = await status(0, first);
    expect(third.status).toBe(200);
    expect(third.headers.get("ratelimit-limit")).toBe("3");
    const over = await status(1, first);
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ detail: "Too Many Requests" });
    expect(over.headers.get("retry-after")).not.toBeNull();

    // Another instance (another subject): its own count.
    expect((await status(0, await instanceToken(world()))).status).toBe(200);
    // A new token for the same instance: the same subject, still limited.
    expect((await status(0, await instanceToken(world(), first.instanceId))).status).toBe(429);
  });

  it("AI_GATEWAY_RATE_LIMIT_PER_USER=0 turns the limit off", async () => {
    const unlimited = await startAiGateway({
      env: { ...gatewayEnv(world()), ...redisEnv(), AI_GATEWAY_RATE_LIMIT_PER_USER: "0" },
    });
    try {
      const auth = await instanceToken(world());
      for (let i = 0; i < 5; i += 1) {
        const answer = await gatewayPost(unlimited.url, "/v2/code/completions", {
          ...auth,
          body: completionBody(),
        });
        expect(answer.status).toBe(200);
        expect(answer.headers.get("ratelimit-limit")).toBeNull();
      }
    } finally {
      await unlimited.close();
    }
  });
});
