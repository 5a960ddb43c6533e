import type { Database } from "@token-broker/db";
import { createSecretBox } from "@token-broker/secrets";
import { openTestDatabase, queryDatabase, TEST_KEY_BASE } from "@token-broker/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  claimRefresh,
  readStoredToken,
  recordFailure,
  storeToken,
} from "../src/instance-token/instance-token-store.ts";

const secretBox = createSecretBox(TEST_KEY_BASE);
const LEASE_MS = 60_000;
const HOUR_MS = 3_600_000;

let database: Database & { url: string };
beforeEach(async () => {
  database = await openTestDatabase();
});
afterEach(() => database.close());

const claim = (serviceTokenDigest = "digest-a", force = false) =>
  claimRefresh(database.prisma, { serviceTokenDigest, force, leaseMs: LEASE_MS });

async function storeFresh(serviceTokenDigest = "digest-a") {
  await storeToken(database.prisma, secretBox, {
    token: "header.payload.signature",
    expiresAt: new Date(Date.now() + HOUR_MS),
    serviceTokenDigest,
  });
}

it("lets one claimant at a time refresh, until its claim lapses", async () => {
  expect(await claim()).toBe(true);
  expect(await claim()).toBe(false);
  expect(await claim("digest-b", true)).toBe(false);
  await queryDatabase(
    database.url,
    "UPDATE instance_tokens SET refresh_lease_until = now() - interval '1 second'",
  );
  expect(await claim()).toBe(true);
});

it("refuses a claim while the stored token is fresh and fetched with this service token", async () => {
  expect(await claim()).toBe(true);
  await storeFresh();
  expect(await claim()).toBe(false);
  // A forced refresh (the console's) and a changed ai_access_token claim it anyway.
  expect(await claim("digest-b")).toBe(true);
  await storeFresh();
  expect(await claim("digest-a", true)).toBe(true);
});

it("claims once less than half the token's life is left", async () => {
  expect(await claim()).toBe(true);
  await storeFresh();
  await queryDatabase(
    database.url,
    "UPDATE instance_tokens SET issued_at = now() - interval '31 minutes', expires_at = now() + interval '29 minutes'",
  );
  expect(await claim()).toBe(true);
});

it("ends the claim after a failure, and keeps the token it had", async () => {
  expect(await claim()).toBe(true);
  await storeFresh();
  expect(await claim("digest-b")).toBe(true);
  await recordFailure(database.prisma, "unreachable");
  const { held, lastFailure } = await readStoredToken(database.prisma, secretBox);
  expect(held?.token).toBe("header.payload.signature");
  expect(lastFailure?.reason).toBe("unreachable");
  expect(await claim("digest-b")).toBe(true);
});

it("treats a token stored under another DB_KEY_BASE as none", async () => {
  expect(await claim()).toBe(true);
  await storeFresh();
  const other = createSecretBox(`${TEST_KEY_BASE}-another`);
  expect((await readStoredToken(database.prisma, other)).held).toBeUndefined();
});
