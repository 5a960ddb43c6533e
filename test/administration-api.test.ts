import { randomBytes } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import {
  fixedToken,
  type RunningService,
  startSaas,
  startSelfManaged,
} from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiCall, apiClient } from "./support/api-client.ts";
import { requestToken } from "./support/token-request.ts";

const ROOT_TOKEN = fixedToken("AdminApiRoot");
const FORBIDDEN = { message: "403 Forbidden" };

let saas: RunningService<SaasConfig>;
let admin: ApiCall;
const unique = (prefix: string) => `${prefix}${randomBytes(5).toString("hex")}`;

beforeAll(async () => {
  saas = await startSaas({ env: { INITIAL_ROOT_TOKEN: ROOT_TOKEN } });
  admin = apiClient(saas.url, ROOT_TOKEN);
});
afterAll(() => saas.close());

async function newUser(fields: Record<string, unknown> = {}) {
  const username = unique("user");
  const { status, body } = await admin("POST", "/users", {
    json: { username, email: `${username}@example.com`, name: `User ${username}`, ...fields },
  });
  expect(status).toBe(201);
  return body as { id: number; username: string; email: string };
}

async function tokenFor(userId: number, scopes: string[] = ["api"]) {
  const { status, body } = await admin("POST", `/users/${userId}/personal_access_tokens`, {
    json: { name: "test", scopes },
  });
  expect(status).toBe(201);
  return body as { id: number; token: string };
}

async function nonAdmin() {
  const user = await newUser();
  const { token } = await tokenFor(user.id);
  return { user, token, call: apiClient(saas.url, token) };
}

describe("users", () => {
  it("POST /users creates a user from JSON, form fields or query parameters", async () => {
    const viaJson = await admin("POST", "/users", {
      json: {
        username: unique("json"),
        email: `${unique("j")}@example.com`,
        name: "Jay Son",
        skip_confirmation: true,
      },
    });
    expect(viaJson.status).toBe(201);
    expect(viaJson.body).toEqual({
      id: expect.any(Number),
      username: expect.stringMatching(/^json/),
      name: "Jay Son",
      state: "active",
      email: expect.stringMatching(/@example\.com$/),
      is_admin: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const viaForm = await admin("POST", "/users", {
      form: {
        username: unique("form"),
        email: `${unique("f")}@example.com`,
        name: "Form",
        admin: "true",
      },
    });
    expect([viaForm.status, viaForm.body.is_admin]).toEqual([201, true]);

    const username = unique("query");
    const viaQuery = await admin(
      "POST",
      `/users?username=${username}&email=${username}@example.com&name=Query`,
    );
    expect([viaQuery.status, viaQuery.body.username]).toEqual([201, username]);
  });

  it("POST /users refuses non-admins, missing or invalid fields, and duplicates", async () => {
    const { call } = await nonAdmin();
    expect(
      await call("POST", "/users", {
        json: { username: "x1", email: "x1@example.com", name: "X" },
      }),
    ).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(
      await admin("POST", "/users", { json: { username: "nomail", name: "No Mail" } }),
    ).toEqual({
      status: 400,
      body: { error: "email is missing" },
    });
    expect(
      await admin("POST", "/users", { json: { username: "bad mail", email: "nope", name: "B" } }),
    ).toMatchObject({
      status: 400,
    });
    expect(
      (
        await admin("POST", "/users", {
          json: { username: unique("u"), email: "not-an-email", name: "B" },
        })
      ).body,
    ).toEqual({ message: "email is invalid" });
    const existing = await newUser();
    expect(
      await admin("POST", "/users", {
        json: { username: existing.username, email: `${unique("other")}@example.com`, name: "Dup" },
      }),
    ).toEqual({ status: 409, body: { message: "Username has already been taken" } });
    expect(
      await admin("POST", "/users", {
        json: { username: unique("other"), email: existing.email, name: "Dup" },
      }),
    ).toEqual({ status: 409, body: { message: "Email has already been taken" } });
  });

  it("GET /users?username=, /users/:id and /user show users, with email only to admins and the user", async () => {
    const other = await newUser();
    const { user, token, call } = await nonAdmin();
    expect((await admin("GET", `/users?username=${other.username}`)).body).toEqual([
      expect.objectContaining({ id: other.id, email: other.email }),
    ]);
    expect(await admin("GET", "/users?username=nobody-here")).toEqual({ status: 200, body: [] });

    const seenByOther = await call("GET", `/users/${other.id}`);
    expect(seenByOther.status).toBe(200);
    expect(seenByOther.body).not.toHaveProperty("email");
    expect(seenByOther.body).not.toHaveProperty("is_admin");
    expect((await admin("GET", `/users/${other.id}`)).body.email).toBe(other.email);

    expect((await call("GET", "/user")).body).toMatchObject({
      id: user.id,
      email: user.email,
      is_admin: false,
    });
    const readUserOnly = (await tokenFor(user.id, ["read_user"])).token;
    expect((await apiClient(saas.url, readUserOnly)("GET", "/user")).status).toBe(200);
    expect((await call("GET", "/user", { token: null })).status).toBe(401);
    expect(token).toMatch(/^glpat-/);

    expect(await admin("GET", "/users/999999")).toEqual({
      status: 404,
      body: { message: "404 User Not Found" },
    });
    expect(await admin("GET", "/users/abc")).toEqual({
      status: 400,
      body: { error: "id is invalid" },
    });
  });

  it("PUT /users/:id changes a user; refuses non-admins, bad input, unknown users, duplicates", async () => {
    const user = await newUser();
    const other = await newUser();
    expect(
      await admin("PUT", `/users/${user.id}`, { json: { name: "Renamed", admin: true } }),
    ).toMatchObject({
      status: 200,
      body: { name: "Renamed", is_admin: true },
    });
    expect(
      (await (await nonAdmin()).call("PUT", `/users/${user.id}`, { json: { name: "X" } })).status,
    ).toBe(403);
    expect(await admin("PUT", `/users/${user.id}`, { json: { email: "bad" } })).toEqual({
      status: 400,
      body: { message: "email is invalid" },
    });
    expect((await admin("PUT", "/users/999999", { json: { name: "X" } })).status).toBe(404);
    expect(await admin("PUT", `/users/${user.id}`, { json: { email: other.email } })).toEqual({
      status: 409,
      body: { message: "Email has already been taken" },
    });
  });

  it("block and unblock take effect on the next request", async () => {
    const { user, token } = await nonAdmin();
    expect((await requestToken(saas.url, token)).status).toBe(201);
    expect(await admin("POST", `/users/${user.id}/block`)).toEqual({ status: 201, body: true });
    expect((await admin("GET", `/users/${user.id}`)).body.state).toBe("blocked");
    expect(await requestToken(saas.url, token)).toMatchObject({
      status: 403,
      body: { message: "403 Forbidden - Your account has been blocked." },
    });
    expect(await admin("POST", `/users/${user.id}/unblock`)).toEqual({ status: 201, body: true });
    expect((await requestToken(saas.url, token)).status).toBe(201);

    const { call } = await nonAdmin();
    expect((await call("POST", `/users/${user.id}/block`)).status).toBe(403);
    expect((await admin("POST", "/users/999999/block")).status).toBe(404);
  });

  it("PUT /user/preferences sets the user's code_suggestions preference", async () => {
    const { token, call } = await nonAdmin();
    expect(await call("PUT", "/user/preferences", { form: { code_suggestions: "false" } })).toEqual(
      {
        status: 200,
        body: { user_id: expect.any(Number), code_suggestions: false },
      },
    );
    expect((await requestToken(saas.url, token)).status).toBe(401);
    expect(
      (await call("PUT", "/user/preferences", { json: { code_suggestions: true } })).body
        .code_suggestions,
    ).toBe(true);
    expect((await requestToken(saas.url, token)).status).toBe(201);
    expect(await call("PUT", "/user/preferences", { json: { code_suggestions: "maybe" } })).toEqual(
      {
        status: 400,
        body: { error: "code_suggestions is invalid" },
      },
    );
  });
});

describe("personal access tokens", () => {
  it("POST /users/:id/personal_access_tokens shows the token once, with GitLab's fields", async () => {
    const user = await newUser();
    const created = await admin("POST", `/users/${user.id}/personal_access_tokens`, {
      form: { name: "editor", "scopes[]": ["api", "ai_features"], expires_at: "2099-01-31" },
    });
    expect(created).toEqual({
      status: 201,
      body: {
        id: expect.any(Number),
        name: "editor",
        revoked: false,
        created_at: expect.any(String),
        scopes: ["api", "ai_features"],
        user_id: user.id,
        last_used_at: null,
        active: true,
        expires_at: "2099-01-31",
        token: expect.stringMatching(/^glpat-[A-Za-z0-9_-]{20}$/),
      },
    });
    const shown = await apiClient(saas.url, created.body.token)(
      "GET",
      "/personal_access_tokens/self",
    );
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty("token");
    expect(shown.body.id).toBe(created.body.id);
  });

  it("POST /users/:id/personal_access_tokens refuses non-admins, bad input and unknown users", async () => {
    const user = await newUser();
    const path = `/users/${user.id}/personal_access_tokens`;
    expect(
      (await (await nonAdmin()).call("POST", path, { json: { name: "x", scopes: ["api"] } }))
        .status,
    ).toBe(403);
    expect(await admin("POST", path, { json: { scopes: ["api"] } })).toEqual({
      status: 400,
      body: { error: "name is missing" },
    });
    expect(await admin("POST", path, { json: { name: "x", scopes: ["sudo"] } })).toEqual({
      status: 400,
      body: { message: "scopes does not have a valid value" },
    });
    expect(
      await admin("POST", path, { json: { name: "x", scopes: ["api"], expires_at: "2001-01-01" } }),
    ).toEqual({
      status: 400,
      body: { message: "expires_at must be a date in the future" },
    });
    expect(
      (await admin("POST", path, { json: { name: "x", scopes: ["api"], expires_at: "soon" } }))
        .status,
    ).toBe(400);
    expect(
      await admin("POST", "/users/999999/personal_access_tokens", {
        json: { name: "x", scopes: ["api"] },
      }),
    ).toEqual({ status: 404, body: { message: "404 User Not Found" } });
  });

  it("GET /personal_access_tokens lists all for admins (filter user_id) and only one's own otherwise", async () => {
    const { user, call } = await nonAdmin();
    await tokenFor(user.id, ["read_api"]);
    const own = await call("GET", "/personal_access_tokens");
    expect(own.status).toBe(200);
    expect(own.body).toHaveLength(2);
    expect(own.body.every((token: { user_id: number }) => token.user_id === user.id)).toBe(true);
    const filtered = await admin("GET", `/personal_access_tokens?user_id=${user.id}`);
    expect(filtered.body).toHaveLength(2);
    const all = await admin("GET", "/personal_access_tokens");
    expect(all.body.length).toBeGreaterThan(2);
  });

  it("DELETE /personal_access_tokens/:id revokes: the token fails on the next request", async () => {
    const { user, token } = await nonAdmin();
    const { id } = (await admin("GET", `/personal_access_tokens?user_id=${user.id}`)).body[0];
    expect((await requestToken(saas.url, token)).status).toBe(201);
    expect(await admin("DELETE", `/personal_access_tokens/${id}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect((await requestToken(saas.url, token)).body).toMatchObject({ error: "invalid_token" });
    expect(await admin("DELETE", `/personal_access_tokens/${id}`)).toEqual({
      status: 400,
      body: { message: "Token already revoked" },
    });
    expect((await admin("DELETE", "/personal_access_tokens/999999")).status).toBe(404);
  });

  it("a user cannot see or revoke someone else's token (404), but can revoke its own (self)", async () => {
    const owner = await nonAdmin();
    const stranger = await nonAdmin();
    const { id } = (await admin("GET", `/personal_access_tokens?user_id=${owner.user.id}`)).body[0];
    expect((await stranger.call("GET", `/personal_access_tokens/${id}`)).status).toBe(404);
    expect((await stranger.call("DELETE", `/personal_access_tokens/${id}`)).status).toBe(404);
    expect((await owner.call("DELETE", "/personal_access_tokens/self")).status).toBe(204);
    expect((await owner.call("GET", "/user")).status).toBe(401);
  });

  it("POST /personal_access_tokens/:id/rotate revokes the token and returns its successor", async () => {
    const { token, call } = await nonAdmin();
    const rotated = await call("POST", "/personal_access_tokens/self/rotate");
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      name: "test",
      scopes: ["api"],
      active: true,
      revoked: false,
    });
    expect(rotated.body.token).toMatch(/^glpat-/);
    expect(rotated.body.expires_at).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect((await requestToken(saas.url, token)).body).toMatchObject({ error: "invalid_token" });
    expect((await requestToken(saas.url, rotated.body.token)).status).toBe(201);

    const again = await admin("POST", `/personal_access_tokens/${rotated.body.id - 1}/rotate`);
    expect(again.status).toBe(400);
    expect((await admin("POST", "/personal_access_tokens/999999/rotate")).status).toBe(404);
  });
});

describe("groups", () => {
  it("POST /groups creates groups and subgroups; refuses bad input, unknown parents and taken paths", async () => {
    const path = unique("grp");
    const group = await admin("POST", "/groups", { form: { name: "Acme", path } });
    expect(group).toEqual({
      status: 201,
      body: {
        id: expect.any(Number),
        name: "Acme",
        path,
        full_path: path,
        parent_id: null,
        code_suggestions: true,
        third_party_ai_features_enabled: true,
        created_at: expect.any(String),
      },
    });
    const sub = await admin("POST", "/groups", {
      json: { name: "Sub", path: "sub", parent_id: group.body.id },
    });
    expect(sub.body).toMatchObject({ full_path: `${path}/sub`, parent_id: group.body.id });

    expect(await admin("POST", "/groups", { json: { name: "Again", path } })).toMatchObject({
      status: 409,
    });
    expect(await admin("POST", "/groups", { json: { path: unique("g") } })).toEqual({
      status: 400,
      body: { error: "name is missing" },
    });
    expect(await admin("POST", "/groups", { json: { name: "Bad", path: "has space" } })).toEqual({
      status: 400,
      body: { message: "path is invalid" },
    });
    expect(
      (
        await admin("POST", "/groups", {
          json: { name: "O", path: unique("o"), parent_id: 999999 },
        })
      ).status,
    ).toBe(404);
  });

  it("GET /groups/:id finds a group by id or URL-encoded full path, and hides it from non-members", async () => {
    const root = (await admin("POST", "/groups", { json: { name: "Root", path: unique("root") } }))
      .body;
    const sub = (
      await admin("POST", "/groups", { json: { name: "Sub", path: "child", parent_id: root.id } })
    ).body;
    expect((await admin("GET", `/groups/${sub.id}`)).body.full_path).toBe(sub.full_path);
    expect((await admin("GET", `/groups/${encodeURIComponent(sub.full_path)}`)).body.id).toBe(
      sub.id,
    );
    expect(await admin("GET", "/groups/999999")).toEqual({
      status: 404,
      body: { message: "404 Group Not Found" },
    });
    expect((await (await nonAdmin()).call("GET", `/groups/${root.id}`)).status).toBe(404);
  });

  it("PUT /groups/:id changes settings for owners; maintainers and others are refused", async () => {
    const { user, call } = await nonAdmin();
    const group = (await call("POST", "/groups", { json: { name: "Mine", path: unique("mine") } }))
      .body;
    expect(
      await call("PUT", `/groups/${group.id}`, { form: { code_suggestions: "false" } }),
    ).toMatchObject({
      status: 200,
      body: { code_suggestions: false, third_party_ai_features_enabled: true },
    });
    expect(
      (
        await call("PUT", `/groups/${group.id}`, {
          json: { third_party_ai_features_enabled: false },
        })
      ).body.third_party_ai_features_enabled,
    ).toBe(false);
    expect(
      (await call("PUT", `/groups/${group.id}`, { json: { code_suggestions: "sometimes" } }))
        .status,
    ).toBe(400);

    const maintainer = await nonAdmin();
    await admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: maintainer.user.id, access_level: 40 },
    });
    expect(
      await maintainer.call("PUT", `/groups/${group.id}`, { json: { code_suggestions: true } }),
    ).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(user.id).toBeGreaterThan(0);
  });

  it("POST/DELETE /groups/:id/members manage members; refuse duplicates, bad levels, unknown users", async () => {
    const group = (await admin("POST", "/groups", { json: { name: "Team", path: unique("team") } }))
      .body;
    const user = await newUser();
    expect(
      await admin("POST", `/groups/${group.id}/members`, {
        form: { user_id: String(user.id), access_level: "30" },
      }),
    ).toEqual({
      status: 201,
      body: {
        id: user.id,
        username: user.username,
        name: expect.any(String),
        state: "active",
        access_level: 30,
        created_at: expect.any(String),
      },
    });
    expect(
      await admin("POST", `/groups/${group.id}/members`, {
        json: { user_id: user.id, access_level: 30 },
      }),
    ).toEqual({
      status: 409,
      body: { message: "Member already exists" },
    });
    expect(
      await admin("POST", `/groups/${group.id}/members`, {
        json: { user_id: user.id, access_level: 35 },
      }),
    ).toEqual({
      status: 400,
      body: { error: "access_level does not have a valid value" },
    });
    expect(
      (
        await admin("POST", `/groups/${group.id}/members`, {
          json: { user_id: 999999, access_level: 30 },
        })
      ).status,
    ).toBe(404);
    const developer = await nonAdmin();
    await admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: developer.user.id, access_level: 30 },
    });
    expect(
      (
        await developer.call("POST", `/groups/${group.id}/members`, {
          json: { user_id: user.id, access_level: 10 },
        })
      ).status,
    ).toBe(403);

    expect(await admin("DELETE", `/groups/${group.id}/members/${user.id}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect(await admin("DELETE", `/groups/${group.id}/members/${user.id}`)).toEqual({
      status: 404,
      body: { message: "404 Member Not Found" },
    });
  });

  it("group settings decide token requests on the next request", async () => {
    const { user, token } = await nonAdmin();
    const group = (
      await admin("POST", "/groups", { json: { name: "Policy", path: unique("policy") } })
    ).body;
    await admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: user.id, access_level: 30 },
    });
    expect((await requestToken(saas.url, token)).status).toBe(201);
    await admin("PUT", `/groups/${group.id}`, { json: { code_suggestions: false } });
    expect((await requestToken(saas.url, token)).status).toBe(401);
  });
});

describe("features", () => {
  const flag = "code_suggestions_for_instance_admin_enabled";

  it("POST /features/:name enables globally or for a user, disables, and DELETE restores the default", async () => {
    const user = await newUser();
    expect(
      await admin("POST", `/features/${flag}`, { form: { value: "true", user: user.username } }),
    ).toEqual({
      status: 201,
      body: {
        name: flag,
        state: "conditional",
        gates: [
          { key: "boolean", value: false },
          { key: "actors", value: [`User:${user.id}`] },
        ],
      },
    });
    expect((await admin("POST", `/features/${flag}`, { json: { value: true } })).body.state).toBe(
      "on",
    );
    expect((await admin("POST", `/features/${flag}`, { json: { value: "false" } })).body).toEqual({
      name: flag,
      state: "off",
      gates: [{ key: "boolean", value: false }],
    });
    expect((await admin("GET", "/features")).body).toContainEqual(
      expect.objectContaining({ name: flag, state: "off" }),
    );
    expect(await admin("DELETE", `/features/${flag}`)).toEqual({ status: 204, body: undefined });
    expect((await admin("GET", "/features")).body).not.toContainEqual(
      expect.objectContaining({ name: flag }),
    );
  });

  it("refuses non-admins, unknown flags, bad values and unknown users", async () => {
    const { call } = await nonAdmin();
    expect(await call("GET", "/features")).toEqual({ status: 403, body: FORBIDDEN });
    expect((await call("POST", `/features/${flag}`, { json: { value: true } })).status).toBe(403);
    expect(
      await admin("POST", "/features/code_sugestions_typo", { json: { value: true } }),
    ).toEqual({
      status: 400,
      body: { message: "Feature flag code_sugestions_typo is not known" },
    });
    expect(await admin("POST", `/features/${flag}`, { json: { value: "perhaps" } })).toEqual({
      status: 400,
      body: { error: "value is invalid" },
    });
    expect(
      await admin("POST", `/features/${flag}`, { json: { value: true, user: "no-such-user" } }),
    ).toEqual({
      status: 404,
      body: { message: "404 User Not Found" },
    });
  });
});

describe("application settings", () => {
  it("GET/PUT /application/settings: ai_access_token is write-only and stored encrypted", async () => {
    const secret = fixedToken("ServiceAccountToken");
    expect(
      await admin("PUT", "/application/settings", {
        form: { instance_level_code_suggestions_enabled: "true", ai_access_token: secret },
      }),
    ).toEqual({
      status: 200,
      body: { instance_level_code_suggestions_enabled: true, ai_access_token_set: true },
    });
    const shown = await admin("GET", "/application/settings");
    expect(shown.body).toEqual({
      instance_level_code_suggestions_enabled: true,
      ai_access_token_set: true,
    });
    const row = await saas.database.prisma.applicationSetting.findUniqueOrThrow({
      where: { id: 1 },
    });
    expect(row.encryptedAiAccessToken).not.toContain(secret.slice(6));

    expect(
      (await admin("PUT", "/application/settings", { json: { ai_access_token: "" } })).body,
    ).toEqual({
      instance_level_code_suggestions_enabled: true,
      ai_access_token_set: false,
    });
  });

  it("refuses non-admins and bad input", async () => {
    const { call } = await nonAdmin();
    expect(await call("GET", "/application/settings")).toEqual({ status: 403, body: FORBIDDEN });
    expect(
      (await call("PUT", "/application/settings", { json: { ai_access_token: "x" } })).status,
    ).toBe(403);
    expect(
      await admin("PUT", "/application/settings", {
        json: { instance_level_code_suggestions_enabled: "maybe" },
      }),
    ).toEqual({
      status: 400,
      body: { error: "instance_level_code_suggestions_enabled is invalid" },
    });
  });
});

describe("bad input never gets a 500", () => {
  it.each([
    {
      why: "invalid JSON",
      init: { headers: { "content-type": "application/json" }, body: "{oops" },
      status: 400,
    },
    {
      why: "a JSON array",
      init: { headers: { "content-type": "application/json" }, body: "[1,2]" },
      status: 400,
    },
    {
      why: "an unknown content type",
      init: { headers: { "content-type": "text/csv" }, body: "a,b" },
      status: 415,
    },
    {
      why: "an oversized body",
      init: {
        headers: { "content-type": "application/json" },
        body: `{"name":"${"x".repeat(2_000_000)}"}`,
      },
      status: 413,
    },
  ])("$why → $status", async ({ init, status }) => {
    const response = await fetch(`${saas.url}/api/v4/users`, {
      method: "POST",
      ...init,
      headers: { ...init.headers, "private-token": ROOT_TOKEN },
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(expect.objectContaining({}));
  });
});

it("the self-managed instance serves the same administration API", async () => {
  const token = fixedToken("SelfManagedRoot");
  const selfManaged = await startSelfManaged("http://127.0.0.1:9", {
    env: { INITIAL_ROOT_TOKEN: token },
  });
  try {
    const call = apiClient(selfManaged.url, token);
    expect(
      (
        await call("PUT", "/application/settings", {
          json: { instance_level_code_suggestions_enabled: true },
        })
      ).body,
    ).toEqual({ instance_level_code_suggestions_enabled: true, ai_access_token_set: false });
    expect((await call("GET", "/user")).body).toMatchObject({ username: "root", is_admin: true });
  } finally {
    await selfManaged.close();
  }
});
