import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { gatewayPost, instanceToken, useGatewayWorld, userToken } from "./gateway-world.ts";

const world = useGatewayWorld();
const PATH = "/v1/code/user_access_token";

describe("AI gateway: POST /v1/code/user_access_token", () => {
  it("mints an hour's user token for the header's user, signed by the gateway", async () => {
    const issued = await instanceToken(world());
    const before = Math.floor(Date.now() / 1000);
    const answer = await gatewayPost(world().gateway.url, PATH, {
      token: issued.token,
      headers: { ...issued.headers, "content-type": "application/json" },
      rawBody: "",
    });
    expect(answer.status).toBe(200);
    const { token, expires_at } = answer.json as { token: string; expires_at: number };
    expect(expires_at).toBeGreaterThanOrEqual(before + 3600);
    expect(expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "RS256",
      kid: expect.any(String),
      typ: "JWT",
    });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: "gitlab-ai-gateway",
      aud: "gitlab-ai-gateway",
      sub: issued.headers["x-gitlab-global-user-id"],
      gitlab_realm: "self-managed",
      gitlab_instance_id: issued.instanceId,
      scopes: ["complete_code"],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      nbf: (claims.iat as number) - 5,
      exp: expires_at,
    });
  });

  it("the user token gets completions; SaaS's keys do not verify it (it is the gateway's)", async () => {
    const minted = await userToken(world());
    const answer = await gatewayPost(world().gateway.url, "/v2/code/completions", {
      token: minted.token,
      headers: minted.headers,
      body: {
        current_file: { file_name: "a.py", content_above_cursor: "x", content_below_cursor: "" },
      },
    });
    expect(answer.status).toBe(200);
    const saasKeys = createRemoteJWKSet(new URL(`${world().saas.url}/oauth/discovery/keys`));
    await expect(
      import("jose").then(({ jwtVerify }) => jwtVerify(minted.token, saasKeys)),
    ).rejects.toThrow();
  });

  it("a user token cannot mint another: 403", async () => {
    const minted = await userToken(world());
    const answer = await gatewayPost(world().gateway.url, PATH, {
      token: minted.token,
      headers: minted.headers,
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      detail: "Unauthorized to create user access token for code suggestions",
    });
  });

  it.each(["X-Gitlab-Global-User-Id", "X-Gitlab-Realm", "X-Gitlab-Instance-Id"])(
    "without %s: 400 (or the 401 of its claim's header check first)",
    async (name) => {
      const issued = await instanceToken(world());
      const headers = { ...issued.headers };
      delete headers[name.toLowerCase() as keyof typeof headers];
      const answer = await gatewayPost(world().gateway.url, PATH, { token: issued.token, headers });
      // Realm and instance id are claims of the instance token: their absence is a mismatch
      // (401) before the route looks; the user id is the route's own requirement (400).
      expect({ status: answer.status, body: answer.json }).toEqual(
        name === "X-Gitlab-Global-User-Id"
          ? { status: 400, body: { detail: "Missing X-Gitlab-Global-User-Id header" } }
          : { status: 401, body: { error: `Header mismatch '${name}'` } },
      );
    },
  );

  it("a user id header that cannot be a claim: 400", async () => {
    const issued = await instanceToken(world());
    const answer = await gatewayPost(world().gateway.url, PATH, {
      token: issued.token,
      headers: { ...issued.headers, "x-gitlab-global-user-id": "x".repeat(300) },
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ detail: "Invalid X-Gitlab-Global-User-Id header" });
  });
});
