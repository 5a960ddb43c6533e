import { randomBytes } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiCall, apiClient } from "../support/api-client.ts";
import { startSaas } from "../support/services.ts";
import { requestToken, UNAUTHORIZED } from "../support/token-request.ts";
import { configuredSelfManaged } from "./instances.ts";

const ROOT_TOKEN = fixedToken("ServiceAccountRoot");
const FORBIDDEN = { message: "403 Forbidden" };

/**
 * Issue 10, item 7: anyone on SaaS could create a group, add the service account of a
 * self-managed instance (its username is visible to every user), turn the group's
 * code_suggestions off, and so deny Code Suggestions to every user of that instance.
 */
describe("the SaaS service account of a self-managed instance", () => {
  let saas: RunningService<SaasConfig>;
  let selfManaged: RunningService<SelfManagedConfig>;
  let admin: ApiCall;
  let serviceAccount: { id: number; username: string };

  beforeAll(async () => {
    // Set up through the API, as pnpm dev and the README do.
    saas = await startSaas({ env: { INITIAL_ROOT_TOKEN: ROOT_TOKEN } });
    admin = apiClient(saas.url, ROOT_TOKEN);
    serviceAccount = (await admin("POST", "/service_accounts", { json: {} })).body;
    const serviceToken = (
      await admin("POST", `/users/${serviceAccount.id}/personal_access_tokens`, {
        json: { name: "self-managed", scopes: ["ai_features"] },
      })
    ).body.token;
    await admin("POST", "/features/code_suggestions_for_instance_admin_enabled", {
      json: { value: true, user: serviceAccount.username },
    });
    selfManaged = await configuredSelfManaged(saas.url, serviceToken);
  });
  afterAll(async () => {
    await selfManaged.close();
    await saas.close();
  });

  async function selfManagedUserAsks() {
    const { token } = await selfManaged.fixtures.userWithToken();
    return requestToken(selfManaged.url, token);
  }

  /** A SaaS user who is not an administrator, owning a new top-level group. */
  async function strangerWithGroup() {
    const { token } = await saas.fixtures.userWithToken({}, { scopes: ["api"] });
    const call = apiClient(saas.url, token);
    const path = `g${randomBytes(5).toString("hex")}`;
    const group = (await call("POST", "/groups", { json: { name: "Attack", path } })).body;
    return { call, group: group as { id: number } };
  }

  it("cannot be put in a group by a SaaS user who is not an administrator", async () => {
    expect((await selfManagedUserAsks()).status).toBe(201);
    const { call, group } = await strangerWithGroup();

    const added = await call("POST", `/groups/${group.id}/members`, {
      json: { username: serviceAccount.username, access_level: 10 },
    });
    expect(added).toEqual({ status: 403, body: FORBIDDEN });
    expect(
      (await call("PUT", `/groups/${group.id}`, { json: { code_suggestions: false } })).status,
    ).toBe(200);

    expect((await selfManagedUserAsks()).status).toBe(201);
  });

  it("is bound by the groups an administrator puts it in", async () => {
    const { group } = await strangerWithGroup();
    expect(
      (
        await admin("POST", `/groups/${group.id}/members`, {
          json: { user_id: serviceAccount.id, access_level: 10 },
        })
      ).status,
    ).toBe(201);
    await admin("PUT", `/groups/${group.id}`, { json: { code_suggestions: false } });
    expect(await selfManagedUserAsks()).toMatchObject({ status: 401, body: UNAUTHORIZED });

    await admin("DELETE", `/groups/${group.id}/members/${serviceAccount.id}`);
    expect((await selfManagedUserAsks()).status).toBe(201);
  });
});
