import { describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { FORBIDDEN, newUser, nonAdmin, tokenFor, unique, useAdminApi } from "./admin-api.ts";

const api = useAdminApi();

async function newServiceAccount(fields: Record<string, string> = {}) {
  const { status, body } = await api.admin("POST", "/service_accounts", { json: fields });
  expect(status).toBe(201);
  return body as { id: number; username: string; name: string; email: string };
}

describe("POST /service_accounts", () => {
  it("creates a service account with GitLab's generated defaults", async () => {
    const host = new URL(api.saas.config.externalUrl).hostname;
    // GitLab's clients send no body at all when every field is left to its default.
    const { status, body } = await api.admin("POST", "/service_accounts");
    expect(status).toBe(201);
    const username: string = body.username;
    expect(username).toMatch(/^service_account_[0-9a-f]{32}$/);
    expect(body).toEqual({
      id: expect.any(Number),
      username,
      name: "Service account user",
      email: `${username}@noreply.${host}`,
      state: "active",
      is_admin: false,
      created_at: expect.any(String),
    });
    expect((await api.admin("GET", `/users/${body.id}`)).body).toEqual(body);
    expect((await newServiceAccount()).username).not.toBe(username);
  });

  it("takes a name, username and email, form-encoded too; refuses taken and invalid ones", async () => {
    const username = unique("bot");
    expect(
      await api.admin("POST", "/service_accounts", {
        form: { username, name: "Code Suggestions", email: `${username}@example.com` },
      }),
    ).toMatchObject({
      status: 201,
      body: { username, name: "Code Suggestions", email: `${username}@example.com` },
    });
    expect(await api.admin("POST", "/service_accounts", { json: { username } })).toEqual({
      status: 409,
      body: { message: "Username has already been taken" },
    });
    expect(
      await api.admin("POST", "/service_accounts", { json: { username: "has space" } }),
    ).toEqual({ status: 400, body: { message: "username is invalid" } });
  });

  it("is for administrators: 403 for others, 401 without a token", async () => {
    const { call } = await nonAdmin();
    expect(await call("POST", "/service_accounts", { json: {} })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await api.admin("POST", "/service_accounts", { token: null })).toEqual({
      status: 401,
      body: { message: "401 Unauthorized" },
    });
  });
});

describe("a service account", () => {
  it("has no password and gets none; other changes work as for any user", async () => {
    const account = await newServiceAccount();
    expect(
      await api.admin("PUT", `/users/${account.id}`, { json: { password: "correct-horse-1" } }),
    ).toEqual({ status: 400, body: { message: "password cannot be set for a service account" } });
    expect(
      await api.admin("PUT", `/users/${account.id}`, { json: { name: "Renamed bot" } }),
    ).toMatchObject({ status: 200, body: { name: "Renamed bot" } });
    const stored = await api.saas.database.prisma.user.findUniqueOrThrow({
      where: { id: account.id },
    });
    expect(stored).toMatchObject({ userType: "service_account", passwordDigest: null });
  });

  it("takes personal access tokens and the instance-admin flag like any user", async () => {
    const account = await newServiceAccount();
    const { token } = await tokenFor(account.id, ["api"]);
    expect(await apiClient(api.saas.url, token)("GET", "/user")).toMatchObject({
      status: 200,
      body: { id: account.id, username: account.username },
    });
    const flag = await api.admin("POST", "/features/code_suggestions_for_instance_admin_enabled", {
      json: { value: true, user: account.username },
    });
    expect(flag).toMatchObject({
      status: 201,
      body: { gates: expect.arrayContaining([{ key: "actors", value: [`User:${account.id}`] }]) },
    });
  });
});

describe("adding a service account to a group", () => {
  it("is refused to a group's owner who is not an administrator, by id and by username", async () => {
    const account = await newServiceAccount();
    const { call } = await nonAdmin();
    const group = (await call("POST", "/groups", { json: { name: "Mine", path: unique("g") } }))
      .body;
    for (const who of [{ user_id: account.id }, { username: account.username }]) {
      expect(
        await call("POST", `/groups/${group.id}/members`, { json: { ...who, access_level: 30 } }),
      ).toEqual({ status: 403, body: FORBIDDEN });
    }
    // A human user is still added as before.
    const human = await newUser();
    expect(
      (
        await call("POST", `/groups/${group.id}/members`, {
          json: { user_id: human.id, access_level: 30 },
        })
      ).status,
    ).toBe(201);
  });

  it("is allowed to an administrator; the service account may create a group of its own", async () => {
    const account = await newServiceAccount();
    const group = (
      await api.admin("POST", "/groups", { json: { name: "Admins'", path: unique("g") } })
    ).body;
    expect(
      await api.admin("POST", `/groups/${group.id}/members`, {
        json: { user_id: account.id, access_level: 30 },
      }),
    ).toMatchObject({ status: 201, body: { id: account.id, access_level: 30 } });

    const { token } = await tokenFor(account.id, ["api"]);
    const own = await apiClient(api.saas.url, token)("POST", "/groups", {
      json: { name: "Own", path: unique("own") },
    });
    expect(own.status).toBe(201);
  });
});
