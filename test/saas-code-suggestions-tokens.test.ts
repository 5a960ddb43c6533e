import { generateKeyPairSync } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusedCredentials } from "./support/refused-credentials.ts";
import { startSaas } from "./support/services.ts";
import { NOT_FOUND, requestToken, TOKENS_PATH, UNAUTHORIZED } from "./support/token-request.ts";
import { decodeProtectedHeader, verifyCodeSuggestionsToken } from "./support/verify-token.ts";

const CLAIMS = [
  "aud",
  "exp",
  "gitlab_realm",
  "iat",
  "iss",
  "jti",
  "nbf",
  "third_party_ai_features_enabled",
];

let saas: RunningService<SaasConfig>;
beforeAll(async () => {
  saas = await startSaas();
});
afterAll(() => saas.close());

describe("SaaS: a token for an allowed user", () => {
  it("is a 201 with the contract's body and headers", async () => {
    const { token } = await saas.fixtures.userWithToken();
    const before = Math.floor(Date.now() / 1000);
    const response = await requestToken(saas.url, token);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = response.body as { access_token: string; expires_in: number; created_at: number };
    expect(Object.keys(body).sort()).toEqual(["access_token", "created_at", "expires_in"]);
    expect(body.expires_in).toBe(3600);
    expect(body.created_at).toBeGreaterThanOrEqual(before);
    expect(body.created_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("is a JWT that verifies with the published keys and carries exactly the contract's claims", async () => {
    const { token } = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    const { body } = await requestToken(saas.url, token);
    const { access_token, created_at } = body as { access_token: string; created_at: number };
    const { payload, header } = await verifyCodeSuggestionsToken(access_token, saas.url);

    expect(header).toEqual({ alg: "RS256", typ: "JWT", kid: expect.any(String) });
    expect(Object.keys(payload).sort()).toEqual(CLAIMS);
    expect(payload).toMatchObject({
      aud: "gitlab-code-suggestions",
      iss: saas.config.externalUrl,
      iat: created_at,
      nbf: created_at - 5,
      exp: created_at + 3600,
      gitlab_realm: "saas",
      third_party_ai_features_enabled: false,
    });
    expect(payload.jti).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("gets a new jti every time", async () => {
    const { token } = await saas.fixtures.userWithToken();
    const ids = new Set<unknown>();
    for (let i = 0; i < 3; i += 1) {
      const { body } = await requestToken(saas.url, token);
      ids.add(
        (
          await verifyCodeSuggestionsToken(
            (body as { access_token: string }).access_token,
            saas.url,
          )
        ).payload.jti,
      );
    }
    expect(ids.size).toBe(3);
  });

  it.each([
    { groups: [true], expected: true },
    { groups: [true, true], expected: true },
    { groups: [true, false], expected: false },
    { groups: [], expected: false },
  ])(
    "third_party_ai_features_enabled is $expected for root groups allowing $groups",
    async ({ groups, expected }) => {
      const { user, token } = await saas.fixtures.userWithToken();
      for (const allows of groups) {
        await saas.fixtures.member(
          await saas.fixtures.group({ thirdPartyAiFeaturesEnabled: allows }),
          user,
        );
      }
      const { status, body } = await requestToken(saas.url, token);
      expect(status).toBe(201);
      const { payload } = await verifyCodeSuggestionsToken(
        (body as { access_token: string }).access_token,
        saas.url,
      );
      expect(payload.third_party_ai_features_enabled).toBe(expected);
    },
  );
});

describe("SaaS: authentication", () => {
  it.each(refusedCredentials(() => saas.fixtures))(
    "$why → $status",
    async ({ credential, status, body }) => {
      const response = await requestToken(saas.url, await credential());
      expect([response.status, response.body]).toEqual([status, body]);
    },
  );

  it("accepts PRIVATE-TOKEN and the private_token parameter", async () => {
    const { token } = await saas.fixtures.userWithToken();
    expect(
      (await requestToken(saas.url, undefined, { headers: { "private-token": token } })).status,
    ).toBe(201);
    const viaQuery = await fetch(`${saas.url}${TOKENS_PATH}?private_token=${token}`, {
      method: "POST",
    });
    expect(viaQuery.status).toBe(201);
  });
});

describe("SaaS: decision table after authentication", () => {
  it("answers 404 while the ops flag code_suggestions_tokens_api is off, before the policy", async () => {
    const { token } = await saas.fixtures.userWithToken({ codeSuggestions: false });
    await saas.fixtures.feature("code_suggestions_tokens_api", { enabled: false });
    try {
      expect(await requestToken(saas.url, token)).toMatchObject({ status: 404, body: NOT_FOUND });
    } finally {
      await saas.fixtures.forgetFeature("code_suggestions_tokens_api");
    }
    expect((await requestToken(saas.url, token)).status).toBe(401);
  });

  it("answers 401 to a user who turned code suggestions off", async () => {
    const { token } = await saas.fixtures.userWithToken({ codeSuggestions: false });
    expect(await requestToken(saas.url, token)).toMatchObject({ status: 401, body: UNAUTHORIZED });
  });

  it("answers 401 when one of the user's two root groups turned code suggestions off", async () => {
    const { user, token } = await saas.fixtures.userWithToken();
    await saas.fixtures.member(await saas.fixtures.group(), user);
    await saas.fixtures.member(await saas.fixtures.group({ codeSuggestions: false }), user);
    expect(await requestToken(saas.url, token)).toMatchObject({ status: 401, body: UNAUTHORIZED });
  });

  it("answers 401 to a member of a subgroup whose root group turned code suggestions off", async () => {
    const { user, token } = await saas.fixtures.userWithToken();
    const root = await saas.fixtures.group({ codeSuggestions: false });
    await saas.fixtures.member(
      await saas.fixtures.group({ parent: root, codeSuggestions: true }),
      user,
    );
    expect(await requestToken(saas.url, token)).toMatchObject({ status: 401, body: UNAUTHORIZED });
  });

  it.each([
    {
      marker: "User-Agent gitlab-workhorse",
      headers: { "user-agent": "gitlab-workhorse v16.2.0" },
    },
    { marker: "X-Gitlab-Realm self-managed", headers: { "x-gitlab-realm": "self-managed" } },
  ] as { marker: string; headers: Record<string, string> }[])(
    "answers 401 to a proxied request ($marker) unless the instance-admin flag is on for the user",
    async ({ headers }) => {
      const { user, token } = await saas.fixtures.userWithToken();
      expect(await requestToken(saas.url, token, { headers })).toMatchObject({
        status: 401,
        body: UNAUTHORIZED,
      });

      await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
        enabled: true,
        userId: user.id,
      });
      const response = await requestToken(saas.url, token, { headers });
      expect(response.status).toBe(201);
      const { payload } = await verifyCodeSuggestionsToken(
        (response.body as { access_token: string }).access_token,
        saas.url,
      );
      expect(payload.gitlab_realm).toBe("self-managed");
    },
  );
});

describe("SaaS: published keys", () => {
  it("are found through the discovery document, without private parts, cacheable", async () => {
    const discovery = await fetch(`${saas.url}/.well-known/openid-configuration`);
    expect(discovery.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(await discovery.json()).toEqual({
      issuer: saas.config.externalUrl,
      jwks_uri: `${saas.config.externalUrl}/oauth/discovery/keys`,
    });

    const jwks = await fetch(`${saas.url}/oauth/discovery/keys`);
    expect(jwks.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const { keys } = (await jwks.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
      expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(Buffer.from(key.n ?? "", "base64url").length * 8).toBeGreaterThanOrEqual(2048);
    }
  });

  it("stay the same for every replica and restart: the key is generated once and stored encrypted", async () => {
    const replica = await startSaas({ replicaOf: saas });
    try {
      const keysOf = async (url: string) =>
        (await (await fetch(`${url}/oauth/discovery/keys`)).json()) as unknown;
      expect(await keysOf(replica.url)).toEqual(await keysOf(saas.url));
      const stored = await saas.database.prisma.signingKey.findMany();
      expect(stored).toHaveLength(1);
      expect(stored[0]?.encryptedPrivateKey).not.toMatch(/PRIVATE KEY/);
    } finally {
      await replica.close();
    }
  });

  it("include JWT_SIGNING_KEY, which then signs, while the stored key stays published", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const replica = await startSaas({ replicaOf: saas, env: { JWT_SIGNING_KEY: pem } });
    try {
      const { keys } = (await (await fetch(`${replica.url}/oauth/discovery/keys`)).json()) as {
        keys: { kid: string }[];
      };
      expect(keys).toHaveLength(2);
      const { token } = await replica.fixtures.userWithToken();
      const { body } = await requestToken(replica.url, token);
      const accessToken = (body as { access_token: string }).access_token;
      const { kid } = decodeProtectedHeader(accessToken);
      const stored = await saas.database.prisma.signingKey.findFirstOrThrow();
      expect(kid).not.toBe(stored.kid);
      expect(keys.map((key) => key.kid)).toContain(kid);
      await verifyCodeSuggestionsToken(accessToken, replica.url);
    } finally {
      await replica.close();
    }
  });
});
