import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  completionBody as editorCompletionBody,
  languageServer,
} from "../editor-api/support/language-server.ts";
import { configuredSelfManaged } from "../self-managed-proxy/instances.ts";
import { redisEnv } from "../support/redis.ts";
import {
  cloudConnectorHeaders,
  completionBody,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  legacyToken,
  OIDC,
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

/** An instance token's request for one user of the instance (GitLab's global user id). */
function asUser(issued: Awaited<ReturnType<typeof instanceToken>>, userId: number) {
  return {
    token: issued.token,
    headers: cloudConnectorHeaders(issued.instanceId, "self-managed", userId),
  };
}

/** A user token (direct access) from replica 0, minted with an instance token for `userId`. */
async function userTokenFor(issued: Awaited<ReturnType<typeof instanceToken>>, userId: number) {
  const auth = asUser(issued, userId);
  const minted = await gatewayPost(replicas[0]?.url ?? "", "/v1/code/user_access_token", auth);
  expect(minted.status).toBe(200);
  return { token: (minted.json as { token: string }).token, headers: auth.headers };
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

  it("the users of one instance token each have their own count; one over it does not stop another", async () => {
    const issued = await instanceToken(world());
    for (let i = 0; i < 3; i += 1) {
      expect((await status(i % 2, asUser(issued, 1))).status).toBe(200);
      expect((await status(i % 2, asUser(issued, 2))).status).toBe(200);
    }
    expect((await status(0, asUser(issued, 1))).status).toBe(429);
    expect((await status(1, asUser(issued, 3))).status).toBe(200);
    expect((await status(1, asUser(issued, 2))).status).toBe(429);
    // A new token of the same instance: the same users, still counted.
    const renewed = await instanceToken(world(), issued.instanceId);
    expect((await status(0, asUser(renewed, 1))).status).toBe(429);
    // The same user id at another instance is another user (another global user id).
    expect((await status(0, asUser(await instanceToken(world()), 1))).status).toBe(200);
  });

  it("a global user id that is not GitLab's shape names no user: counted with the instance", async () => {
    const issued = await instanceToken(world());
    const unnamed = (userHeader: string) => ({
      token: issued.token,
      headers: {
        ...cloudConnectorHeaders(issued.instanceId, "self-managed"),
        "x-gitlab-global-user-id": userHeader,
      },
    });
    expect((await status(0, unnamed("user-1"))).status).toBe(200);
    expect((await status(1, unnamed("A".repeat(64)))).status).toBe(200);
    const { "x-gitlab-global-user-id": _, ...withoutUser } = cloudConnectorHeaders(
      issued.instanceId,
      "self-managed",
    );
    expect((await status(0, { token: issued.token, headers: withoutUser })).status).toBe(200);
    expect((await status(1, unnamed(`${"a".repeat(64)}0`))).status).toBe(429);
    // A user the instance names properly still has a count of its own.
    expect((await status(0, asUser(issued, 1))).status).toBe(200);
  });

  it("a user token counts per user: a new token of the same user shares its count", async () => {
    const issued = await instanceToken(world());
    const first = await userTokenFor(issued, 1);
    for (let i = 0; i < 3; i += 1) expect((await status(i % 2, first)).status).toBe(200);
    expect((await status(1, first)).status).toBe(429);
    expect((await status(0, await userTokenFor(issued, 1))).status).toBe(429);
    expect((await status(0, await userTokenFor(issued, 2))).status).toBe(200);
  });

  it("a legacy token (no subject) counts per token: another user's legacy token has its own count", async () => {
    const legacyStatus = async (replica: number, token: string) =>
      (
        await gatewayPost(replicas[replica]?.url ?? "", "/v2/completions", {
          token,
          headers: OIDC,
          body: completionBody(),
        })
      ).status;
    const mine = await legacyToken(world());
    for (let i = 0; i < 3; i += 1) expect(await legacyStatus(i % 2, mine)).toBe(200);
    expect(await legacyStatus(1, mine)).toBe(429);
    expect(await legacyStatus(0, await legacyToken(world()))).toBe(200);
  });

  it("a self-managed instance relays its users' completions with one token: each user has a count", async () => {
    const { saas, serviceToken } = world();
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken, {
      AI_GATEWAY_URL: replicas[0]?.url ?? "",
    });
    try {
      const editors = await Promise.all(
        [1, 2].map(async () => {
          const { token } = await selfManaged.fixtures.userWithToken();
          return languageServer(selfManaged.url, token);
        }),
      );
      const [alice, bob] = editors;
      if (alice === undefined || bob === undefined) throw new Error("two editors expected");
      const completionStatus = async (editor: typeof alice) => {
        const response = await editor.completion(editorCompletionBody("def add(a, b):\n    "));
        await response.arrayBuffer();
        return response.status;
      };
      for (let i = 0; i < 3; i += 1) expect(await completionStatus(alice)).toBe(200);
      expect(await completionStatus(alice)).toBe(429);
      expect(await completionStatus(bob)).toBe(200);
    } finally {
      await selfManaged.close();
    }
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
