import { randomUUID } from "node:crypto";
import { TEST_KEY_BASE } from "@token-broker/testing";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { saasConsole } from "../../apps/saas/test/support/saas-console.ts";
import {
  completionBody,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  useGatewayWorld,
} from "./gateway-world.ts";
import { startAiGateway } from "./running-gateway.ts";
import { signedByGateway } from "./signed-by-gateway.ts";

const REFETCH_INTERVAL_MS = 1_000;
const world = useGatewayWorld({ gateway: { keyRefetchIntervalMs: REFETCH_INTERVAL_MS } });
const KEYS_PATH = "/oauth/discovery/keys";
const keyFetches = () =>
  world().saas.received.filter((request) => request.url === KEYS_PATH).length;

async function completionStatus(
  gatewayUrl: string,
  auth: { token: string; headers: Record<string, string> },
) {
  return (
    await gatewayPost(gatewayUrl, "/v2/code/completions", { ...auth, body: completionBody() })
  ).status;
}

describe("AI gateway: SaaS's keys, through discovery, cached, refetched for an unknown kid", () => {
  it("a rotated key is accepted without a restart; the old key's tokens still verify", async () => {
    const { saas, gateway } = world();
    const before = await instanceToken(world());
    expect(await completionStatus(gateway.url, before)).toBe(200);
    const fetchesAfterFirst = keyFetches();
    expect(fetchesAfterFirst).toBe(1);
    // Cached: more tokens of the same key fetch nothing.
    expect(await completionStatus(gateway.url, await instanceToken(world()))).toBe(200);
    expect(keyFetches()).toBe(fetchesAfterFirst);

    const env = { DATABASE_URL: saas.databaseUrl, DB_KEY_BASE: TEST_KEY_BASE };
    const created = await saasConsole(["signing-keys", "create"], env);
    expect(created.code).toBe(0);
    expect(
      (await saasConsole(["signing-keys", "activate", created.out, "--force"], env)).code,
    ).toBe(0);
    const after = await instanceToken(world());
    expect(decodeProtectedHeader(after.token).kid).toBe(created.out);

    // Within the refetch interval an unknown kid is refused; after it, the gateway fetches
    // SaaS's keys once and accepts the new key.
    const deadline = Date.now() + 10 * REFETCH_INTERVAL_MS;
    let status = await completionStatus(gateway.url, after);
    while (status !== 200 && Date.now() < deadline) {
      expect(status).toBe(401);
      status = await completionStatus(gateway.url, after);
    }
    expect(status).toBe(200);
    expect(keyFetches()).toBe(fetchesAfterFirst + 1);
    expect(await completionStatus(gateway.url, before)).toBe(200);
  });

  it("tokens naming unknown kids refetch at most once per interval", async () => {
    const { saas } = world();
    // The contract's interval (a minute): a burst of unknown kids after the first fetch
    // fetches nothing more.
    const gateway = await startAiGateway({ env: gatewayEnv(world()) });
    try {
      const issued = await instanceToken(world());
      const fetchesBefore = keyFetches();
      expect(await completionStatus(gateway.url, issued)).toBe(200);
      expect(keyFetches()).toBe(fetchesBefore + 1);
      for (let i = 0; i < 5; i += 1) {
        const unknownKid = await signedByGateway({
          iss: saas.config.externalUrl,
          aud: ["gitlab-ai-gateway"],
          sub: issued.instanceId,
          gitlab_instance_id: issued.instanceId,
          gitlab_realm: "self-managed",
          scopes: ["complete_code"],
          jti: randomUUID(),
        });
        expect(
          await completionStatus(gateway.url, { token: unknownKid, headers: issued.headers }),
        ).toBe(401);
      }
      expect(keyFetches()).toBe(fetchesBefore + 1);
    } finally {
      await gateway.close();
    }
  });
});
