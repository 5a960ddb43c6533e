import type { Database } from "@token-broker/db";
import { openTestDatabase } from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAuthenticator } from "../src/authenticator.ts";
import { ensureInitialRootToken, ensureRootUser } from "../src/bootstrap.ts";
import { createTokenDigester, generatePersonalAccessToken } from "../src/personal-access-token.ts";
import { createPrismaTokenStore } from "../src/token-store.ts";

const digest = createTokenDigester("bootstrap-key-base-".repeat(2));
let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

it("makes INITIAL_ROOT_TOKEN authenticate as the root admin, idempotently, storing only a digest", async () => {
  const token = generatePersonalAccessToken();
  await ensureInitialRootToken(database.prisma, digest, token);
  await ensureInitialRootToken(database.prisma, digest, token);

  expect(await database.prisma.user.count({ where: { username: "root" } })).toBe(1);
  const tokens = await database.prisma.personalAccessToken.findMany({
    where: { user: { username: "root" } },
  });
  expect(tokens).toHaveLength(1);
  expect(JSON.stringify(tokens)).not.toContain(token.slice(6));

  const authenticate = createAuthenticator({
    tokens: createPrismaTokenStore(database.prisma),
    digest,
  });
  expect(await authenticate({ token, source: "authorization" }, ["api"])).toMatchObject({
    ok: true,
    principal: { user: { username: "root", admin: true }, scopes: ["api"] },
  });
});

it("re-activates the declared token after it was revoked", async () => {
  const token = generatePersonalAccessToken();
  await ensureInitialRootToken(database.prisma, digest, token);
  await database.prisma.personalAccessToken.update({
    where: { tokenDigest: digest(token) },
    data: { revokedAt: new Date() },
  });
  await ensureInitialRootToken(database.prisma, digest, token);
  const authenticate = createAuthenticator({
    tokens: createPrismaTokenStore(database.prisma),
    digest,
  });
  expect((await authenticate({ token, source: "authorization" }, ["api"])).ok).toBe(true);
});

it("keeps one root user across starts", async () => {
  const first = await ensureRootUser(database.prisma);
  const second = await ensureRootUser(database.prisma);
  expect(second.id).toBe(first.id);
});

it("refuses a malformed INITIAL_ROOT_TOKEN", async () => {
  await expect(ensureInitialRootToken(database.prisma, digest, "not-a-token")).rejects.toThrow(
    /INITIAL_ROOT_TOKEN/,
  );
});

it("restores root's access with the declared token: a blocked or demoted root is an active administrator again", async () => {
  const token = generatePersonalAccessToken();
  await ensureInitialRootToken(database.prisma, digest, token);
  await database.prisma.user.update({
    where: { username: "root" },
    data: { state: "blocked", admin: false },
  });
  await ensureInitialRootToken(database.prisma, digest, token);
  const authenticate = createAuthenticator({
    tokens: createPrismaTokenStore(database.prisma),
    digest,
  });
  expect(await authenticate({ token, source: "authorization" }, ["api"])).toMatchObject({
    ok: true,
    principal: { user: { username: "root", admin: true } },
  });
});
