import { describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { requestToken } from "../support/token-request.ts";
import { FORBIDDEN, newUser, nonAdmin, tokenFor, unique, useAdminApi } from "./admin-api.ts";

const api = useAdminApi();

describe("users", () => {
  it("POST /users creates a user from JSON, form fields or query parameters", async () => {
    const viaJson = await api.admin("POST", "/users", {
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

    const viaForm = await api.admin("POST", "/users", {
      form: {
        username: unique("form"),
        email: `${unique("f")}@example.com`,
        name: "Form",
        admin: "true",
      },
    });
    expect([viaForm.status, viaForm.body.is_admin]).toEqual([201, true]);

    const username = unique("query");
    const viaQuery = await api.admin(
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
      await api.admin("POST", "/users", { json: { username: "nomail", name: "No Mail" } }),
    ).toEqual({
      status: 400,
      body: { error: "email is missing" },
    });
    expect(
      await api.admin("POST", "/users", {
        json: { username: "bad mail", email: "nope", name: "B" },
      }),
    ).toMatchObject({
      status: 400,
    });
    expect(
      (
        await api.admin("POST", "/users", {
          json: { username: unique("u"), email: "not-an-email", name: "B" },
        })
      ).body,
    ).toEqual({ message: "email is invalid" });
    const existing = await newUser();
    expect(
      await api.admin("POST", "/users", {
        json: { username: existing.username, email: `${unique("other")}@example.com`, name: "Dup" },
      }),
    ).toEqual({ status: 409, body: { message: "Username has already been taken" } });
    expect(
      await api.admin("POST", "/users", {
        json: { username: unique("other"), email: existing.email, name: "Dup" },
      }),
    ).toEqual({ status: 409, body: { message: "Email has already been taken" } });
  });

  it("GET /users?username=, /users/:id and /user show users, with email only to admins and the user", async () => {
    const other = await newUser();
    const { user, token, call } = await nonAdmin();
    expect((await api.admin("GET", `/users?username=${other.username}`)).body).toEqual([
      expect.objectContaining({ id: other.id, email: other.email }),
    ]);
    expect(await api.admin("GET", "/users?username=nobody-here")).toEqual({
      status: 200,
      body: [],
    });

    const seenByOther = await call("GET", `/users/${other.id}`);
    expect(seenByOther.status).toBe(200);
    expect(seenByOther.body).not.toHaveProperty("email");
    expect(seenByOther.body).not.toHaveProperty("is_admin");
    expect((await api.admin("GET", `/users/${other.id}`)).body.email).toBe(other.email);

    expect((await call("GET", "/user")).body).toMatchObject({
      id: user.id,
      email: user.email,
      is_admin: false,
    });
    const readUserOnly = (await tokenFor(user.id, ["read_user"])).token;
    expect((await apiClient(api.saas.url, readUserOnly)("GET", "/user")).status).toBe(200);
    expect((await call("GET", "/user", { token: null })).status).toBe(401);
    expect(token).toMatch(/^glpat-/);

    expect(await api.admin("GET", "/users/999999")).toEqual({
      status: 404,
      body: { message: "404 User Not Found" },
    });
    expect(await api.admin("GET", "/users/abc")).toEqual({
      status: 400,
      body: { error: "id is invalid" },
    });
  });

  it("PUT /users/:id changes a user; refuses non-admins, bad input, unknown users, duplicates", async () => {
    const user = await newUser();
    const other = await newUser();
    expect(
      await api.admin("PUT", `/users/${user.id}`, { json: { name: "Renamed", admin: true } }),
    ).toMatchObject({
      status: 200,
      body: { name: "Renamed", is_admin: true },
    });
    expect(
      (await (await nonAdmin()).call("PUT", `/users/${user.id}`, { json: { name: "X" } })).status,
    ).toBe(403);
    expect(await api.admin("PUT", `/users/${user.id}`, { json: { email: "bad" } })).toEqual({
      status: 400,
      body: { message: "email is invalid" },
    });
    expect((await api.admin("PUT", "/users/999999", { json: { name: "X" } })).status).toBe(404);
    expect(await api.admin("PUT", `/users/${user.id}`, { json: { email: other.email } })).toEqual({
      status: 409,
      body: { message: "Email has already been taken" },
    });
  });

  it("block and unblock take effect on the next request", async () => {
    const { user, token } = await nonAdmin();
    expect((await requestToken(api.saas.url, token)).status).toBe(201);
    expect(await api.admin("POST", `/users/${user.id}/block`)).toEqual({ status: 201, body: true });
    expect((await api.admin("GET", `/users/${user.id}`)).body.state).toBe("blocked");
    expect(await requestToken(api.saas.url, token)).toMatchObject({
      status: 403,
      body: { message: "403 Forbidden - Your account has been blocked." },
    });
    expect(await api.admin("POST", `/users/${user.id}/unblock`)).toEqual({
      status: 201,
      body: true,
    });
    expect((await requestToken(api.saas.url, token)).status).toBe(201);

    const { call } = await nonAdmin();
    expect((await call("POST", `/users/${user.id}/block`)).status).toBe(403);
    expect((await api.admin("POST", "/users/999999/block")).status).toBe(404);
  });

  it("PUT /user/preferences sets the user's code_suggestions preference", async () => {
    const { token, call } = await nonAdmin();
    expect(await call("PUT", "/user/preferences", { form: { code_suggestions: "false" } })).toEqual(
      {
        status: 200,
        body: { user_id: expect.any(Number), code_suggestions: false },
      },
    );
    expect((await requestToken(api.saas.url, token)).status).toBe(401);
    expect(
      (await call("PUT", "/user/preferences", { json: { code_suggestions: true } })).body
        .code_suggestions,
    ).toBe(true);
    expect((await requestToken(api.saas.url, token)).status).toBe(201);
    expect(await call("PUT", "/user/preferences", { json: { code_suggestions: "maybe" } })).toEqual(
      {
        status: 400,
        body: { error: "code_suggestions is invalid" },
      },
    );
  });
});
