import { describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { requestToken } from "../support/token-request.ts";
import { newUser, nonAdmin, tokenFor, useAdminApi } from "./admin-api.ts";

const api = useAdminApi();

describe("personal access tokens", () => {
  it("POST /users/:id/personal_access_tokens shows the token once, with GitLab's fields", async () => {
    const user = await newUser();
    const created = await api.admin("POST", `/users/${user.id}/personal_access_tokens`, {
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
    const shown = await apiClient(api.saas.url, created.body.token)(
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
    expect(await api.admin("POST", path, { json: { scopes: ["api"] } })).toEqual({
      status: 400,
      body: { error: "name is missing" },
    });
    expect(await api.admin("POST", path, { json: { name: "x", scopes: ["sudo"] } })).toEqual({
      status: 400,
      body: { message: "scopes does not have a valid value" },
    });
    expect(
      await api.admin("POST", path, {
        json: { name: "x", scopes: ["api"], expires_at: "2001-01-01" },
      }),
    ).toEqual({
      status: 400,
      body: { message: "expires_at must be a date in the future" },
    });
    expect(
      (await api.admin("POST", path, { json: { name: "x", scopes: ["api"], expires_at: "soon" } }))
        .status,
    ).toBe(400);
    expect(
      await api.admin("POST", "/users/999999/personal_access_tokens", {
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
    const filtered = await api.admin("GET", `/personal_access_tokens?user_id=${user.id}`);
    expect(filtered.body).toHaveLength(2);
    const all = await api.admin("GET", "/personal_access_tokens");
    expect(all.body.length).toBeGreaterThan(2);
  });

  it("DELETE /personal_access_tokens/:id revokes: the token fails on the next request", async () => {
    const { user, token } = await nonAdmin();
    const { id } = (await api.admin("GET", `/personal_access_tokens?user_id=${user.id}`)).body[0];
    expect((await requestToken(api.saas.url, token)).status).toBe(201);
    expect(await api.admin("DELETE", `/personal_access_tokens/${id}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect((await requestToken(api.saas.url, token)).body).toMatchObject({
      error: "invalid_token",
    });
    expect(await api.admin("DELETE", `/personal_access_tokens/${id}`)).toEqual({
      status: 400,
      body: { message: "Token already revoked" },
    });
    expect((await api.admin("DELETE", "/personal_access_tokens/999999")).status).toBe(404);
  });

  it("a user cannot see or revoke someone else's token (404), but can revoke its own (self)", async () => {
    const owner = await nonAdmin();
    const stranger = await nonAdmin();
    const { id } = (await api.admin("GET", `/personal_access_tokens?user_id=${owner.user.id}`))
      .body[0];
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
    expect((await requestToken(api.saas.url, token)).body).toMatchObject({
      error: "invalid_token",
    });
    expect((await requestToken(api.saas.url, rotated.body.token)).status).toBe(201);

    const again = await api.admin("POST", `/personal_access_tokens/${rotated.body.id - 1}/rotate`);
    expect(again.status).toBe(400);
    expect((await api.admin("POST", "/personal_access_tokens/999999/rotate")).status).toBe(404);
  });
});
