import { randomUUID } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import { type RunningService, TEST_KEY_BASE } from "@token-broker/testing";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { saasConsole } from "../../apps/saas/test/support/saas-console.ts";
import { sample, scrape } from "../support/metrics.ts";
import { redisEnv } from "../support/redis.ts";
import { refusedCredentials } from "../support/refused-credentials.ts";
import { startSaas } from "../support/services.ts";
import { NOT_FOUND, requestToken, UNAUTHORIZED } from "../support/token-request.ts";
import { verifyCodeSuggestionsToken } from "../support/verify-token.ts";
import { requestInstanceToken, verifyGatewayToken } from "./gateway-token.ts";

const CLAIMS = [
  "aud",
  "exp",
  "gitlab_instance_id",
  "gitlab_realm",
  "iat",
  "iss",
  "jti",
  "nbf",
  "scopes",
  "sub",
];
const TOO_MANY = { message: "This endpoint has been requested too many times. Try again later." };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let saas: RunningService<SaasConfig>;
beforeAll(async () => {
  saas = await startSaas();
});
afterAll(() => saas?.close());

/** A SaaS service account allowed to mint tokens for self-managed instances. */
async function serviceAccount(service = saas, scopes = ["ai_features"]) {
  const { user, token } = await service.fixtures.userWithToken({}, { scopes });
  await service.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
    enabled: true,
    userId: user.id,
  });
  return { user, token };
}

function instanceTokenOf(body: unknown): { token: string; expires_at: number } {
  return body as { token: string; expires_at: number };
}

describe("SaaS: an instance token for a self-managed instance", () => {
  it("is a 201 with token and expires_at, not cacheable", async () => {
    const { token } = await serviceAccount();
    const before = Math.floor(Date.now() / 1000);
    const response = await requestInstanceToken(saas.url, token);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = instanceTokenOf(response.body);
    expect(Object.keys(body).sort()).toEqual(["expires_at", "token"]);
    expect(body.expires_at).toBeGreaterThanOrEqual(before + 3600);
    expect(body.expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
  });

  it("verifies with SaaS's published keys and carries exactly the claims of docs/cloud-connector.md", async () => {
    const { token } = await serviceAccount(saas, ["api"]);
    const instanceId = randomUUID();
    const { body } = await requestInstanceToken(saas.url, token, { instanceId });
    const issued = instanceTokenOf(body);
    const { payload, header } = await verifyGatewayToken(issued.token, saas.url);

    const { keys } = (await (await fetch(`${saas.url}/oauth/discovery/keys`)).json()) as {
      keys: { kid: string }[];
    };
    expect(header).toEqual({
      alg: "RS256",
      typ: "JWT",
      kid: saas.app.keyRing.current().signing.kid,
    });
    expect(keys.map((key) => key.kid)).toContain(header.kid);
    expect(Object.keys(payload).sort()).toEqual(CLAIMS);
    const iat = payload.iat as number;
    expect(payload).toEqual({
      aud: ["gitlab-ai-gateway"],
      iss: saas.config.externalUrl,
      sub: instanceId,
      gitlab_realm: "self-managed",
      gitlab_instance_id: instanceId,
      scopes: ["complete_code", "generate_code"],
      iat,
      nbf: iat - 5,
      exp: iat + 3600,
      jti: expect.stringMatching(UUID_V4),
    });
    expect(issued.expires_at).toBe(payload.exp);
    expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(5);
  });

  it("is not a legacy token: the code-suggestions audience refuses it", async () => {
    const { token } = await serviceAccount();
    const { body } = await requestInstanceToken(saas.url, token);
    await expect(verifyCodeSuggestionsToken(instanceTokenOf(body).token, saas.url)).rejects.toThrow(
      /aud/,
    );
  });

  it("gets a new jti every time", async () => {
    const { token } = await serviceAccount();
    const ids = new Set<unknown>();
    for (let i = 0; i < 3; i += 1) {
      const { body } = await requestInstanceToken(saas.url, token);
      ids.add((await verifyGatewayToken(instanceTokenOf(body).token, saas.url)).payload.jti);
    }
    expect(ids.size).toBe(3);
  });

  it("leaves the legacy token of the same account as it was", async () => {
    const { token } = await serviceAccount();
    const legacy = await requestToken(saas.url, token, {
      headers: { "x-gitlab-realm": "self-managed" },
    });
    expect(legacy.status).toBe(201);
    const { payload } = await verifyCodeSuggestionsToken(
      (legacy.body as { access_token: string }).access_token,
      saas.url,
    );
    expect(payload.aud).toBe("gitlab-code-suggestions");
    expect(payload).not.toHaveProperty("scopes");
  });
});

describe("SaaS instance token: refusals", () => {
  it.each(refusedCredentials(() => saas.fixtures))(
    "$why → $status",
    async ({ credential, status, body }) => {
      const response = await requestInstanceToken(saas.url, await credential());
      expect([response.status, response.body]).toEqual([status, body]);
    },
  );

  it.each([
    { why: "no X-Gitlab-Instance-Id", instanceId: null, error: "x-gitlab-instance-id is missing" },
    { why: "an empty instance id", instanceId: "", error: "x-gitlab-instance-id is invalid" },
    {
      why: "an instance id that is not a UUID",
      instanceId: "instance-1",
      error: "x-gitlab-instance-id is invalid",
    },
    {
      why: "a UUID with more after it",
      instanceId: `${randomUUID()}x`,
      error: "x-gitlab-instance-id is invalid",
    },
    { why: "no X-Gitlab-Realm", realm: null, error: "x-gitlab-realm is missing" },
    { why: "realm saas", realm: "saas", error: "x-gitlab-realm does not have a valid value" },
  ] as { why: string; instanceId?: string | null; realm?: string | null; error: string }[])(
    "answers 400 to $why",
    async ({ instanceId, realm, error }) => {
      const { token } = await serviceAccount();
      const response = await requestInstanceToken(saas.url, token, { instanceId, realm });
      expect([response.status, response.body]).toEqual([400, { error }]);
    },
  );

  it("authenticates before looking at the headers", async () => {
    const response = await requestInstanceToken(saas.url, undefined, { instanceId: null });
    expect([response.status, response.body]).toEqual([401, UNAUTHORIZED]);
  });

  it("answers 404 while the ops flag code_suggestions_tokens_api is off, before the policy", async () => {
    const { user, token } = await saas.fixtures.userWithToken({ codeSuggestions: false });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: user.id,
    });
    await saas.fixtures.feature("code_suggestions_tokens_api", { enabled: false });
    try {
      expect(await requestInstanceToken(saas.url, token)).toMatchObject({
        status: 404,
        body: NOT_FOUND,
      });
    } finally {
      await saas.fixtures.forgetFeature("code_suggestions_tokens_api");
    }
    expect((await requestInstanceToken(saas.url, token)).status).toBe(401);
  });

  it("answers 401 when the service account may not use code suggestions", async () => {
    const { user, token } = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: user.id,
    });
    await saas.fixtures.member(await saas.fixtures.group({ codeSuggestions: false }), user);
    expect(await requestInstanceToken(saas.url, token)).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
  });

  it("answers 401 unless the instance-admin flag is on for the service account", async () => {
    const { user, token } = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    expect(await requestInstanceToken(saas.url, token)).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: user.id,
    });
    expect((await requestInstanceToken(saas.url, token)).status).toBe(201);
  });
});

describe("SaaS instance token: rate limit per service account", () => {
  let limited: RunningService<SaasConfig>;
  beforeAll(async () => {
    limited = await startSaas({ env: { TOKENS_RATE_LIMIT_PER_INSTANCE: "3" } });
  });
  afterAll(() => limited?.close());

  it("counts one bucket per service account, whatever instance ids it sends", async () => {
    const { token } = await serviceAccount(limited);
    const statuses: number[] = [];
    for (let i = 0; i < 70; i += 1) {
      statuses.push((await requestInstanceToken(limited.url, token)).status);
    }
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.slice(3).every((status) => status === 429)).toBe(true);

    const refused = await requestInstanceToken(limited.url, token, { instanceId: randomUUID() });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(TOO_MANY);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-limit")).toBe("3");

    // Another service account has a bucket of its own.
    const other = await serviceAccount(limited);
    expect((await requestInstanceToken(limited.url, other.token)).status).toBe(201);

    const { text } = await scrape(limited.url);
    expect(
      sample(text, "cloud_connector_tokens_total", { kind: "instance", outcome: "rate_limited" }),
    ).toBe(68);
    expect(
      sample(text, "cloud_connector_tokens_total", { kind: "instance", outcome: "issued" }),
    ).toBe(4);
    // The legacy counter is not the instance tokens' one.
    expect(sample(text, "code_suggestions_tokens_total", { outcome: "issued" })).toBe(0);
  });
});

describe("SaaS instance token: rate limit counted in Redis", () => {
  it("shares the service account's bucket with its relayed legacy token requests, on every replica", async () => {
    const env = { TOKENS_RATE_LIMIT_PER_INSTANCE: "2", ...redisEnv() };
    const shared = await startSaas({ env });
    const replica = await startSaas({ replicaOf: shared, env });
    try {
      const { token } = await serviceAccount(shared);
      expect((await requestInstanceToken(shared.url, token)).status).toBe(201);
      const legacy = () =>
        requestToken(replica.url, token, { headers: { "x-gitlab-realm": "self-managed" } });
      expect((await legacy()).status).toBe(201);
      expect((await requestInstanceToken(replica.url, token)).status).toBe(429);
      expect((await legacy()).status).toBe(429);
    } finally {
      await replica.close();
      await shared.close();
    }
  });
});

describe("SaaS instance token: INSTANCE_TOKEN_TTL", () => {
  it("sets the token's life", async () => {
    const short = await startSaas({ env: { INSTANCE_TOKEN_TTL: "90m" } });
    try {
      const { token } = await serviceAccount(short);
      const { body } = await requestInstanceToken(short.url, token);
      const issued = instanceTokenOf(body);
      const { payload } = await verifyGatewayToken(issued.token, short.url);
      expect((payload.exp as number) - (payload.iat as number)).toBe(5400);
      expect(issued.expires_at).toBe(payload.exp);
      // The legacy token keeps its hour.
      const legacy = await requestToken(short.url, token, {
        headers: { "x-gitlab-realm": "self-managed" },
      });
      expect((legacy.body as { expires_in: number }).expires_in).toBe(3600);
    } finally {
      await short.close();
    }
  });
});

describe("SaaS: self-issued tokens for its own users", () => {
  it("carry realm saas and SaaS's own instance UUID, verify with the published keys, and last 1 h", async () => {
    const { instanceUuid } = await saas.database.prisma.applicationSetting.findUniqueOrThrow({
      where: { id: 1 },
    });
    const { token, expiresAt } = await saas.app.selfIssuedToken();
    const { payload, header } = await verifyGatewayToken(token, saas.url);
    expect(header).toEqual({ alg: "RS256", typ: "JWT", kid: expect.any(String) });
    expect(Object.keys(payload).sort()).toEqual(CLAIMS);
    const iat = payload.iat as number;
    expect(payload).toEqual({
      aud: ["gitlab-ai-gateway"],
      iss: saas.config.externalUrl,
      sub: instanceUuid,
      gitlab_realm: "saas",
      gitlab_instance_id: instanceUuid,
      scopes: ["complete_code", "generate_code"],
      iat,
      nbf: iat - 5,
      exp: iat + 3600,
      jti: expect.stringMatching(UUID_V4),
    });
    expect(expiresAt).toBe(payload.exp);
  });

  it("are counted as issued", async () => {
    const counted = async () =>
      sample((await scrape(saas.url)).text, "cloud_connector_tokens_total", {
        kind: "self_issued",
        outcome: "issued",
      }) ?? 0;
    await saas.app.selfIssuedToken();
    expect(await counted()).toBeGreaterThanOrEqual(1);
  });
});

describe("SaaS: key rotation", () => {
  it("signs instance and self-issued tokens with the newly active key at once; older ones still verify", async () => {
    const rotated = await startSaas();
    try {
      const { token } = await serviceAccount(rotated);
      const before = await rotated.app.selfIssuedToken();
      const env = { DATABASE_URL: rotated.databaseUrl, DB_KEY_BASE: TEST_KEY_BASE };
      const kid = (await saasConsole(["signing-keys", "create"], env)).out;
      expect((await saasConsole(["signing-keys", "activate", kid, "--force"], env)).code).toBe(0);

      await vi.waitFor(
        async () => {
          const { token: selfIssued } = await rotated.app.selfIssuedToken();
          expect(decodeProtectedHeader(selfIssued).kid).toBe(kid);
        },
        { timeout: 5_000, interval: 20 },
      );
      const { body } = await requestInstanceToken(rotated.url, token);
      const issued = instanceTokenOf(body).token;
      expect(decodeProtectedHeader(issued).kid).toBe(kid);
      await verifyGatewayToken(issued, rotated.url);
      await verifyGatewayToken((await rotated.app.selfIssuedToken()).token, rotated.url);
      expect(decodeProtectedHeader(before.token).kid).not.toBe(kid);
      await verifyGatewayToken(before.token, rotated.url);
    } finally {
      await rotated.close();
    }
  });
});
