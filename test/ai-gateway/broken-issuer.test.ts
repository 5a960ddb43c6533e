import { generateKeyPairSync, randomUUID } from "node:crypto";
import { type ModelServer, startModelServer } from "@token-broker/testing";
import Fastify, { type FastifyInstance } from "fastify";
import { exportJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudConnectorHeaders, completionBody, gatewayPost } from "./gateway-world.ts";
import { type RunningGateway, startAiGateway } from "./running-gateway.ts";

const KEYS_PATH = "/keys";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const KID = "broken-issuer-key";

/**
 * A third party's issuer that publishes an empty key set before its real key: an outside,
 * misbehaving party (not our SaaS), so a small server stands in for it. Its discovery
 * document and key set are real documents at real URLs.
 */
let issuer: FastifyInstance;
let issuerUrl: string;
let publishKey = false;
let keyFetches = 0;
let model: ModelServer;
let gateway: RunningGateway;

beforeAll(async () => {
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: "RS256", use: "sig" };
  issuer = Fastify();
  issuer.get("/.well-known/openid-configuration", async () => ({
    issuer: issuerUrl,
    jwks_uri: `${issuerUrl}${KEYS_PATH}`,
  }));
  issuer.get(KEYS_PATH, async () => {
    keyFetches += 1;
    return { keys: publishKey ? [jwk] : [] };
  });
  issuerUrl = await issuer.listen({ port: 0, host: "127.0.0.1" });
  model = await startModelServer();
  // The contract's refetch interval (a minute): a cached empty set would hold the key back
  // for that long at least (a day, were the set kept fresh).
  gateway = await startAiGateway({
    env: {
      AI_GATEWAY_TRUSTED_ISSUERS: issuerUrl,
      MODEL_ENDPOINT: model.url,
      MODEL_NAME: "stand-in-coder",
    },
  });
});
afterAll(async () => {
  await gateway?.close();
  await model?.close();
  await issuer?.close();
});

async function issuedToken(instanceId: string): Promise<string> {
  return new SignJWT({
    gitlab_realm: "self-managed",
    gitlab_instance_id: instanceId,
    scopes: ["complete_code"],
  })
    .setProtectedHeader({ alg: "RS256", kid: KID, typ: "JWT" })
    .setIssuer(issuerUrl)
    .setAudience(["gitlab-ai-gateway"])
    .setSubject(instanceId)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
}

describe("AI gateway: an issuer that publishes no keys", () => {
  it("an empty key set is not cached: the key published next is used on the next request", async () => {
    const instanceId = randomUUID();
    const auth = {
      token: await issuedToken(instanceId),
      headers: cloudConnectorHeaders(instanceId, "self-managed"),
      body: completionBody(),
    };
    const refused = await gatewayPost(gateway.url, "/v2/code/completions", auth);
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ error: "Forbidden by auth provider" });
    expect(keyFetches).toBe(1);

    publishKey = true;
    const accepted = await gatewayPost(gateway.url, "/v2/code/completions", auth);
    expect(accepted.status).toBe(200);
    expect(keyFetches).toBe(2);
    // Now cached: another token of the same key fetches nothing.
    const again = await gatewayPost(gateway.url, "/v2/code/completions", {
      ...auth,
      token: await issuedToken(instanceId),
    });
    expect(again.status).toBe(200);
    expect(keyFetches).toBe(2);
  });
});
