import type { Database } from "@token-broker/db";
import { openTestDatabase } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthenticator } from "../src/authenticator.ts";
import { createTokenDigester, generatePersonalAccessToken } from "../src/personal-access-token.ts";
import { CODE_SUGGESTIONS_SCOPES } from "../src/scopes.ts";
import { createPrismaTokenStore, type TokenStore } from "../src/token-store.ts";

const digest = createTokenDigester("test-key-base-".repeat(3));
const DAY = 24 * 60 * 60 * 1000;

describe("authentication against PostgreSQL", () => {
  let database: Database;
  let sequence = 0;

  async function userWithToken(
    token: { scopes?: string[]; expiresAt?: Date | null; revokedAt?: Date | null } = {},
    user: { state?: "active" | "blocked"; admin?: boolean } = {},
  ) {
    sequence += 1;
    const owner = await database.prisma.user.create({
      data: {
        username: `user${sequence}`,
        email: `user${sequence}@example.com`,
        name: `User ${sequence}`,
        ...user,
      },
    });
    const secret = generatePersonalAccessToken();
    const stored = await database.prisma.personalAccessToken.create({
      data: {
        userId: owner.id,
        name: "editor",
        tokenDigest: digest(secret),
        scopes: token.scopes ?? ["api"],
        expiresAt: token.expiresAt ?? null,
        revokedAt: token.revokedAt ?? null,
      },
    });
    return { owner, secret, stored };
  }

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  function authenticator(tokens: TokenStore = createPrismaTokenStore(database.prisma)) {
    return createAuthenticator({ tokens, digest });
  }

  it("authenticates a valid token as its owner, with its scopes", async () => {
    const { owner, secret, stored } = await userWithToken(
      { scopes: ["ai_features"] },
      { admin: true },
    );
    const result = await authenticator()(
      { token: secret, source: "authorization" },
      CODE_SUGGESTIONS_SCOPES,
    );
    expect(result).toEqual({
      ok: true,
      principal: {
        user: { id: owner.id, username: owner.username, admin: true },
        tokenId: stored.id,
        scopes: ["ai_features"],
      },
    });
  });

  it.each([
    {
      why: "expired yesterday",
      token: { expiresAt: new Date(Date.now() - DAY) },
      reason: "expired",
    },
    { why: "revoked", token: { revokedAt: new Date() }, reason: "revoked" },
    {
      why: "expired and revoked (expiry is checked first)",
      token: { expiresAt: new Date(Date.now() - DAY), revokedAt: new Date() },
      reason: "expired",
    },
    {
      why: "owner blocked",
      token: {},
      user: { state: "blocked" as const },
      reason: "user_blocked",
    },
    { why: "read_api only", token: { scopes: ["read_api"] }, reason: "insufficient_scope" },
    {
      why: "read_user only",
      token: { scopes: ["read_user", "read_api"] },
      reason: "insufficient_scope",
    },
  ])("refuses a token: $why → $reason", async ({ token, user, reason }) => {
    const { secret } = await userWithToken(token, user);
    const result = await authenticator()(
      { token: secret, source: "private-token-header" },
      CODE_SUGGESTIONS_SCOPES,
    );
    expect(result).toMatchObject({ ok: false, reason });
  });

  it("accepts a token expiring tomorrow", async () => {
    const { secret } = await userWithToken({ expiresAt: new Date(Date.now() + DAY) });
    const result = await authenticator()({ token: secret, source: "authorization" }, ["api"]);
    expect(result.ok).toBe(true);
  });

  it("names the accepted scopes when the token has none of them", async () => {
    const { secret } = await userWithToken({ scopes: ["read_api"] });
    const result = await authenticator()(
      { token: secret, source: "authorization" },
      CODE_SUGGESTIONS_SCOPES,
    );
    expect(result).toEqual({
      ok: false,
      reason: "insufficient_scope",
      acceptedScopes: ["api", "ai_features"],
    });
  });

  it("refuses an unknown token and a missing credential", async () => {
    const authenticate = authenticator();
    expect(
      await authenticate({ token: generatePersonalAccessToken(), source: "authorization" }, [
        "api",
      ]),
    ).toEqual({
      ok: false,
      reason: "unknown",
    });
    expect(await authenticate(undefined, ["api"])).toEqual({ ok: false, reason: "missing" });
  });

  it("refuses a malformed token without asking the database", async () => {
    let lookups = 0;
    const counting: TokenStore = {
      findByDigest: (value) => {
        lookups += 1;
        return createPrismaTokenStore(database.prisma).findByDigest(value);
      },
    };
    const authenticate = authenticator(counting);
    for (const token of [
      "glpat-short",
      "not-a-token",
      "glpat-abcdefghij0123456789'; DROP TABLE users; --",
    ]) {
      expect(await authenticate({ token, source: "authorization" }, ["api"])).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
    expect(lookups).toBe(0);
    await authenticate({ token: generatePersonalAccessToken(), source: "authorization" }, ["api"]);
    expect(lookups).toBe(1);
  });
});
