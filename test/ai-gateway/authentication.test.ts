import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import {
  cloudConnectorHeaders,
  completionBody,
  gatewayPost,
  globalUserId,
  instanceToken,
  legacyToken,
  OIDC,
  useGatewayWorld,
  userToken,
} from "./gateway-world.ts";
import { signedByGateway } from "./signed-by-gateway.ts";

const world = useGatewayWorld();
const FORBIDDEN = { error: "Forbidden by auth provider" };
const COMPLETIONS = "/v2/code/completions";

function post(path: string, options: Parameters<typeof gatewayPost>[2]) {
  return gatewayPost(world().gateway.url, path, { body: completionBody(), ...options });
}

describe("AI gateway: GitLab's authentication answers, in its order", () => {
  it.each([
    ["no Authorization header", {}, "No authorization header presented"],
    ["an empty Authorization header", { authorization: "" }, "No authorization header presented"],
    ["a Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }, "Invalid authorization header"],
    ["a bearer scheme without token", { authorization: "Bearer" }, "Invalid authorization header"],
    ["a token with spaces", { authorization: "Bearer a b" }, "Invalid authorization header"],
    [
      "no X-Gitlab-Authentication-Type",
      { authorization: "Bearer x.y.z" },
      "Invalid authentication token type - only OIDC is supported",
    ],
    [
      "an authentication type other than oidc",
      { authorization: "Bearer x.y.z", "x-gitlab-authentication-type": "pat" },
      "Invalid authentication token type - only OIDC is supported",
    ],
    [
      "a token that is no JWT",
      { authorization: "Bearer not-a-jwt", ...OIDC },
      "Forbidden by auth provider",
    ],
  ])("%s: 401 %s", async (_case, headers, message) => {
    const { model } = world();
    const before = model.received.length;
    const answer = await post(COMPLETIONS, { headers });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: message });
    expect(model.received.length).toBe(before);
  });

  it("unknown paths authenticate first (401), public routes do not", async () => {
    const { gateway } = world();
    expect((await post("/v3/nothing", {})).json).toEqual({
      error: "No authorization header presented",
    });
    for (const path of ["/monitoring/healthz", "/monitoring/ready", "/-/metrics"]) {
      expect((await fetch(`${gateway.url}${path}`)).status).toBe(200);
    }
  });

  it("an instance token with its headers gets a completion from /v2/code/completions", async () => {
    const issued = await instanceToken(world());
    const answer = await post(COMPLETIONS, { token: issued.token, headers: issued.headers });
    expect(answer.status).toBe(200);
    expect((answer.json as { choices: { text: string }[] }).choices[0]?.text).toBe("return a + b");
  });

  it.each([
    ["X-Gitlab-Realm", { "x-gitlab-realm": "saas" }],
    ["X-Gitlab-Instance-Id", { "x-gitlab-instance-id": randomUUID() }],
  ])(
    "an instance token whose %s header differs from its claim: 401 Header mismatch",
    async (name, change) => {
      const issued = await instanceToken(world());
      const answer = await post(COMPLETIONS, {
        token: issued.token,
        headers: { ...issued.headers, ...change },
      });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: `Header mismatch '${name}'` });
    },
  );

  it("an instance token without the headers its claims name: 401 Header mismatch", async () => {
    const issued = await instanceToken(world());
    const answer = await post(COMPLETIONS, { token: issued.token, headers: OIDC });
    expect(answer.json).toEqual({ error: "Header mismatch 'X-Gitlab-Realm'" });
  });

  it("a self-issued token (SaaS's own users, realm saas) gets a completion with its headers", async () => {
    const { saas } = world();
    const { token } = await (
      saas.app as unknown as { selfIssuedToken(): Promise<{ token: string }> }
    ).selfIssuedToken();
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
      gitlab_instance_id: string;
    };
    const headers = cloudConnectorHeaders(claims.gitlab_instance_id, "saas");
    expect((await post(COMPLETIONS, { token, headers })).status).toBe(200);
    expect(
      (
        await post(COMPLETIONS, {
          token,
          headers: { ...headers, "x-gitlab-realm": "self-managed" },
        })
      ).json,
    ).toEqual({
      error: "Header mismatch 'X-Gitlab-Realm'",
    });
  });

  it("a user token: sub must equal X-Gitlab-Global-User-Id", async () => {
    const minted = await userToken(world());
    expect((await post(COMPLETIONS, { token: minted.token, headers: minted.headers })).status).toBe(
      200,
    );
    const other = {
      ...minted.headers,
      "x-gitlab-global-user-id": globalUserId(minted.instanceId, 8),
    };
    const answer = await post(COMPLETIONS, { token: minted.token, headers: other });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "Header mismatch 'X-Gitlab-Global-User-Id'" });
  });

  it("a token from an issuer the gateway does not trust: 401, its keys never fetched", async () => {
    const untrusted = await startSaas();
    try {
      const { token } = await untrusted.fixtures.userWithToken();
      const response = await fetch(`${untrusted.url}/api/v4/code_suggestions/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      const { access_token: legacy } = (await response.json()) as { access_token: string };
      const receivedBefore = untrusted.received.length;
      const answer = await post("/v2/completions", { token: legacy, headers: OIDC });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(FORBIDDEN);
      expect(untrusted.received.length).toBe(receivedBefore);
    } finally {
      await untrusted.close();
    }
  });

  it("a token naming a trusted issuer but signed with another key: 401", async () => {
    // The gateway's own key, `iss` SaaS's: SaaS's key set must not verify it.
    const { saas } = world();
    const issued = await instanceToken(world());
    const forged = await signedByGateway({
      iss: saas.config.externalUrl,
      aud: ["gitlab-ai-gateway"],
      sub: issued.instanceId,
      gitlab_realm: "self-managed",
      gitlab_instance_id: issued.instanceId,
      scopes: ["complete_code"],
    });
    expect((await post(COMPLETIONS, { token: forged, headers: issued.headers })).json).toEqual(
      FORBIDDEN,
    );
  });

  it("expiry and not-before with at most 30 s of leeway", async () => {
    const instanceId = randomUUID();
    const headers = cloudConnectorHeaders(instanceId, "self-managed");
    const claims = {
      sub: headers["x-gitlab-global-user-id"],
      gitlab_realm: "self-managed",
      gitlab_instance_id: instanceId,
      scopes: ["complete_code"],
    };
    const status = async (times: { expiresIn?: number; notBefore?: number }) =>
      (await post(COMPLETIONS, { token: await signedByGateway(claims, times), headers })).status;
    expect(await status({ expiresIn: -20 })).toBe(200);
    expect(await status({ expiresIn: -45 })).toBe(401);
    expect(await status({ notBefore: 20 })).toBe(200);
    expect(await status({ notBefore: 45 })).toBe(401);
  });

  it("an aud other than gitlab-ai-gateway: 401", async () => {
    const instanceId = randomUUID();
    const headers = cloudConnectorHeaders(instanceId, "self-managed");
    const token = await signedByGateway({
      aud: "gitlab-code-suggestions",
      sub: headers["x-gitlab-global-user-id"],
      scopes: ["complete_code"],
    });
    expect((await post(COMPLETIONS, { token, headers })).json).toEqual(FORBIDDEN);
    // Not even on the legacy route: the legacy audience is for SaaS's tokens only.
    expect((await post("/v2/completions", { token, headers })).json).toEqual(FORBIDDEN);
  });

  it("a token without complete_code: 403 on every completion route", async () => {
    const instanceId = randomUUID();
    const headers = cloudConnectorHeaders(instanceId, "self-managed");
    const token = await signedByGateway({
      sub: headers["x-gitlab-global-user-id"],
      gitlab_instance_id: instanceId,
      scopes: ["generate_code"],
    });
    for (const path of [COMPLETIONS, "/v2/completions", "/v4/code/suggestions"]) {
      const answer = await post(path, { token, headers });
      expect({ path, status: answer.status, body: answer.json }).toEqual({
        path,
        status: 403,
        body: { detail: "Unauthorized to access code completions" },
      });
    }
  });

  it("the legacy route accepts the legacy token without header matching or scopes", async () => {
    const token = await legacyToken(world());
    const answer = await post("/v2/completions", {
      token,
      headers: { ...OIDC, "x-gitlab-realm": "saas", "x-gitlab-instance-id": randomUUID() },
    });
    expect(answer.status).toBe(200);
  });
});
