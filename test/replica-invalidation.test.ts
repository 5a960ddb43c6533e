import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { fixedToken, queryDatabase, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiCall, apiClient } from "./support/api-client.ts";
import { startSaas, startSelfManaged } from "./support/services.ts";
import { requestToken } from "./support/token-request.ts";

const ROOT = fixedToken("ReplicaRootToken");

/**
 * Two replicas of one service against one database: what an administrator changes through
 * one replica takes effect on the next request to the other, although both keep tokens,
 * users, groups, flags and settings in memory.
 */
describe("two SaaS replicas", () => {
  let first: RunningService<SaasConfig>;
  let second: RunningService<SaasConfig>;
  let admin: ApiCall;

  beforeAll(async () => {
    first = await startSaas({ env: { INITIAL_ROOT_TOKEN: ROOT } });
    second = await startSaas({ replicaOf: first, env: { INITIAL_ROOT_TOKEN: ROOT } });
    admin = apiClient(first.url, ROOT);
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  /** A user whose token the second replica has already answered (and cached). */
  async function cachedOnSecond() {
    const { user, token } = await first.fixtures.userWithToken();
    for (let i = 0; i < 2; i += 1) expect((await requestToken(second.url, token)).status).toBe(201);
    return { user, token };
  }

  it("really caches: a change made without notifying is not seen by a warm replica", async () => {
    const { user, token } = await cachedOnSecond();
    // Triggers do not fire for a session in replica mode: the row changes silently.
    await queryDatabase(
      first.databaseUrl,
      `SET session_replication_role = replica; UPDATE users SET state = 'blocked' WHERE id = ${user.id}`,
    );
    expect((await requestToken(second.url, token)).status).toBe(201);
    await admin("POST", `/users/${user.id}/block`);
    expect((await requestToken(second.url, token)).status).toBe(403);
  });

  it("revoking a token through one replica refuses it on the next request to the other", async () => {
    const { user, token } = await cachedOnSecond();
    const [record] = (await admin("GET", `/personal_access_tokens?user_id=${user.id}`)).body;
    expect((await admin("DELETE", `/personal_access_tokens/${record.id}`)).status).toBe(204);
    expect((await requestToken(second.url, token)).body).toMatchObject({ error: "invalid_token" });
  });

  it("blocking a user through one replica refuses their token on the next request to the other", async () => {
    const { user, token } = await cachedOnSecond();
    expect((await admin("POST", `/users/${user.id}/block`)).status).toBe(201);
    expect((await requestToken(second.url, token)).status).toBe(403);
    expect((await admin("POST", `/users/${user.id}/unblock`)).status).toBe(201);
    expect((await requestToken(second.url, token)).status).toBe(201);
  });

  it("turning the ops flag off through one replica answers 404 on the next request to the other", async () => {
    const { token } = await cachedOnSecond();
    expect(
      (await admin("POST", "/features/code_suggestions_tokens_api", { json: { value: false } }))
        .status,
    ).toBe(201);
    try {
      expect((await requestToken(second.url, token)).status).toBe(404);
    } finally {
      await admin("DELETE", "/features/code_suggestions_tokens_api");
    }
    expect((await requestToken(second.url, token)).status).toBe(201);
  });

  it("turning a root group's code suggestions off refuses its members' next request on the other replica", async () => {
    const { user, token } = await cachedOnSecond();
    const group = (
      await admin("POST", "/groups", { json: { name: "Team", path: `team-${user.id}` } })
    ).body;
    await admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: user.id, access_level: 30 },
    });
    expect((await requestToken(second.url, token)).status).toBe(201);
    await admin("PUT", `/groups/${group.id}`, { json: { code_suggestions: false } });
    expect((await requestToken(second.url, token)).status).toBe(401);
  });

  it("a user turning their preference off is refused on the next request to the other replica", async () => {
    const { token } = await cachedOnSecond();
    const self = apiClient(first.url, token);
    expect(
      (await self("PUT", "/user/preferences", { json: { code_suggestions: false } })).status,
    ).toBe(200);
    expect((await requestToken(second.url, token)).status).toBe(401);
  });

  it("stops serving from memory when it loses the notifications, and never answers stale", async () => {
    const { user, token } = await cachedOnSecond();
    // Cut every listening connection of the replicas (as a network failure would).
    await queryDatabase(
      first.databaseUrl,
      // Only this test's database: other test files run their own services at the same time.
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'broker change feed' AND datname = current_database()",
    );
    await queryDatabase(
      first.databaseUrl,
      `SET session_replication_role = replica; UPDATE users SET state = 'blocked' WHERE id = ${user.id}`,
    );
    expect((await requestToken(second.url, token)).status).toBe(403);
  });
});

describe("two self-managed replicas", () => {
  let saas: RunningService<SaasConfig>;
  let first: RunningService<SelfManagedConfig>;
  let second: RunningService<SelfManagedConfig>;
  let admin: ApiCall;
  let serviceToken: string;

  beforeAll(async () => {
    saas = await startSaas();
    const bot = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    serviceToken = bot.token;
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: bot.user.id,
    });
    first = await startSelfManaged(saas.url, { env: { INITIAL_ROOT_TOKEN: ROOT } });
    second = await startSelfManaged(saas.url, {
      replicaOf: first,
      env: { INITIAL_ROOT_TOKEN: ROOT },
    });
    admin = apiClient(first.url, ROOT);
    await admin("PUT", "/application/settings", {
      json: { instance_level_code_suggestions_enabled: true, ai_access_token: serviceToken },
    });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await saas.close();
  });

  it("turning the instance setting off through one replica answers 404 on the next request to the other", async () => {
    const { token } = await first.fixtures.userWithToken();
    expect((await requestToken(second.url, token)).status).toBe(201);
    await admin("PUT", "/application/settings", {
      json: { instance_level_code_suggestions_enabled: false },
    });
    expect((await requestToken(second.url, token)).status).toBe(404);
    await admin("PUT", "/application/settings", {
      json: { instance_level_code_suggestions_enabled: true },
    });
    expect((await requestToken(second.url, token)).status).toBe(201);
  });

  it("removing ai_access_token through one replica answers 404 on the next request to the other", async () => {
    const { token } = await first.fixtures.userWithToken();
    expect((await requestToken(second.url, token)).status).toBe(201);
    await admin("PUT", "/application/settings", { json: { ai_access_token: "" } });
    expect((await requestToken(second.url, token)).status).toBe(404);
    await admin("PUT", "/application/settings", { json: { ai_access_token: serviceToken } });
  });
});
