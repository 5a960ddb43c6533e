import { describe, expect, it } from "vitest";
import { requestToken } from "../support/token-request.ts";
import { FORBIDDEN, newUser, nonAdmin, unique, useAdminApi } from "./admin-api.ts";

const api = useAdminApi();

describe("groups", () => {
  it("POST /groups creates groups and subgroups; refuses bad input, unknown parents and taken paths", async () => {
    const path = unique("grp");
    const group = await api.admin("POST", "/groups", { form: { name: "Acme", path } });
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
    const sub = await api.admin("POST", "/groups", {
      json: { name: "Sub", path: "sub", parent_id: group.body.id },
    });
    expect(sub.body).toMatchObject({ full_path: `${path}/sub`, parent_id: group.body.id });

    expect(await api.admin("POST", "/groups", { json: { name: "Again", path } })).toMatchObject({
      status: 409,
    });
    expect(await api.admin("POST", "/groups", { json: { path: unique("g") } })).toEqual({
      status: 400,
      body: { error: "name is missing" },
    });
    expect(
      await api.admin("POST", "/groups", { json: { name: "Bad", path: "has space" } }),
    ).toEqual({
      status: 400,
      body: { message: "path is invalid" },
    });
    expect(
      (
        await api.admin("POST", "/groups", {
          json: { name: "O", path: unique("o"), parent_id: 999999 },
        })
      ).status,
    ).toBe(404);
  });

  it("GET /groups/:id finds a group by id or URL-encoded full path, and hides it from non-members", async () => {
    const root = (
      await api.admin("POST", "/groups", { json: { name: "Root", path: unique("root") } })
    ).body;
    const sub = (
      await api.admin("POST", "/groups", {
        json: { name: "Sub", path: "child", parent_id: root.id },
      })
    ).body;
    expect((await api.admin("GET", `/groups/${sub.id}`)).body.full_path).toBe(sub.full_path);
    expect((await api.admin("GET", `/groups/${encodeURIComponent(sub.full_path)}`)).body.id).toBe(
      sub.id,
    );
    expect(await api.admin("GET", "/groups/999999")).toEqual({
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
    await api.admin("POST", `/groups/${group.id}/members`, {
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
    const group = (
      await api.admin("POST", "/groups", { json: { name: "Team", path: unique("team") } })
    ).body;
    const user = await newUser();
    expect(
      await api.admin("POST", `/groups/${group.id}/members`, {
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
      await api.admin("POST", `/groups/${group.id}/members`, {
        json: { user_id: user.id, access_level: 30 },
      }),
    ).toEqual({
      status: 409,
      body: { message: "Member already exists" },
    });
    expect(
      await api.admin("POST", `/groups/${group.id}/members`, {
        json: { user_id: user.id, access_level: 35 },
      }),
    ).toEqual({
      status: 400,
      body: { error: "access_level does not have a valid value" },
    });
    expect(
      (
        await api.admin("POST", `/groups/${group.id}/members`, {
          json: { user_id: 999999, access_level: 30 },
        })
      ).status,
    ).toBe(404);
    const developer = await nonAdmin();
    await api.admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: developer.user.id, access_level: 30 },
    });
    expect(
      (
        await developer.call("POST", `/groups/${group.id}/members`, {
          json: { user_id: user.id, access_level: 10 },
        })
      ).status,
    ).toBe(403);

    expect(await api.admin("DELETE", `/groups/${group.id}/members/${user.id}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect(await api.admin("DELETE", `/groups/${group.id}/members/${user.id}`)).toEqual({
      status: 404,
      body: { message: "404 Member Not Found" },
    });
  });

  it("group settings decide token requests on the next request", async () => {
    const { user, token } = await nonAdmin();
    const group = (
      await api.admin("POST", "/groups", { json: { name: "Policy", path: unique("policy") } })
    ).body;
    await api.admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: user.id, access_level: 30 },
    });
    expect((await requestToken(api.saas.url, token)).status).toBe(201);
    await api.admin("PUT", `/groups/${group.id}`, { json: { code_suggestions: false } });
    expect((await requestToken(api.saas.url, token)).status).toBe(401);
  });
});
