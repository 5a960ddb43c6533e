import type { SaasConfig } from "@token-broker/saas/config";
import { type RunningService, startService, TEST_KEY_BASE } from "@token-broker/testing";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { saasService } from "../src/app.ts";
import { saasConsole } from "./support/saas-console.ts";

let first: RunningService<SaasConfig>;
let second: RunningService<SaasConfig>;
let token: string;
let env: Record<string, string>;

beforeAll(async () => {
  first = await startService(saasService);
  second = await startService(saasService, { replicaOf: first });
  ({ token } = await first.fixtures.userWithToken());
  env = { DATABASE_URL: first.databaseUrl, DB_KEY_BASE: TEST_KEY_BASE };
});
afterAll(async () => {
  await second.close();
  await first.close();
});

/** A code-suggestions JWT from this replica. */
async function issue(replica: RunningService<SaasConfig>): Promise<string> {
  const response = await fetch(`${replica.url}/api/v4/code_suggestions/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { access_token: string }).access_token;
}

const kidOf = (jwt: string) => String(decodeProtectedHeader(jwt).kid);

/** The key set this replica publishes now, with how long verifiers may cache it. */
async function keySet(replica: RunningService<SaasConfig>) {
  const response = await fetch(`${replica.url}/oauth/discovery/keys`);
  const jwks = (await response.json()) as JSONWebKeySet;
  return {
    jwks,
    kids: jwks.keys.map((key) => key.kid).sort(),
    cacheControl: response.headers.get("cache-control"),
  };
}

/** Verifies as a gateway that fetched the replica's key set now would. */
async function verify(jwt: string, replica: RunningService<SaasConfig>) {
  const { jwks } = await keySet(replica);
  return jwtVerify(jwt, createLocalJWKSet(jwks), {
    audience: "gitlab-code-suggestions",
    algorithms: ["RS256"],
  });
}

it("every replica publishes a new key, then signs with it, on its next request; older tokens verify until their key is retired", async () => {
  const replicas = [first, second];
  const before = await issue(first);
  const oldKid = kidOf(before);
  for (const replica of replicas) {
    expect(kidOf(await issue(replica))).toBe(oldKid);
    expect(await keySet(replica)).toMatchObject({
      kids: [oldKid],
      cacheControl: "public, max-age=3600",
    });
  }

  const created = await saasConsole(["signing-keys", "create"], env);
  expect(created.code).toBe(0);
  const newKid = created.out;
  for (const replica of replicas) {
    expect((await keySet(replica)).kids).toEqual([newKid, oldKid].sort());
    expect(kidOf(await issue(replica))).toBe(oldKid);
  }

  expect((await saasConsole(["signing-keys", "activate", newKid, "--force"], env)).code).toBe(0);
  for (const replica of replicas) {
    const after = await issue(replica);
    expect(kidOf(after)).toBe(newKid);
    await verify(after, replica);
    expect((await verify(before, replica)).protectedHeader.kid).toBe(oldKid);
  }

  expect((await saasConsole(["signing-keys", "retire", oldKid, "--force"], env)).code).toBe(0);
  for (const replica of replicas) {
    expect((await keySet(replica)).kids).toEqual([newKid]);
    await expect(verify(before, replica)).rejects.toMatchObject({
      code: "ERR_JWKS_NO_MATCHING_KEY",
    });
    expect(kidOf(await issue(replica))).toBe(newKid);
  }
});
