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

describe("group and member lists", () => {
  it("GET /groups lists the groups the caller can see (subgroups of theirs too), by name, with search and pages; all for administrators", async () => {
    const [owner, stranger] = [await nonAdmin(), await nonAdmin()];
    const tag = unique("list");
    const beta = (
      await owner.call("POST", "/groups", { json: { name: `${tag} Beta`, path: `${tag}-b` } })
    ).body;
    const alpha = (
      await owner.call("POST", "/groups", { json: { name: `${tag} Alpha`, path: `${tag}-a` } })
    ).body;
    const sub = (
      await api.admin("POST", "/groups", {
        json: { name: `${tag} Child`, path: "c", parent_id: alpha.id },
      })
    ).body;
    await api.admin("POST", "/groups", { json: { name: `${tag} Hidden`, path: `${tag}-h` } });

    const mine = await owner.call("GET", "/groups/");
    expect(mine.status).toBe(200);
    expect(mine.body.map((group: { id: number }) => group.id)).toEqual([alpha.id, beta.id, sub.id]);
    expect((await stranger.call("GET", "/groups")).body).toEqual([]);
    expect(
      (await owner.call("GET", `/groups?search=${encodeURIComponent(`${tag.toUpperCase()}-B`)}`))
        .body,
    ).toEqual([beta]);
    const everyone = await api.admin("GET", `/groups?search=${tag}`);
    expect(everyone.body.map((group: { name: string }) => group.name)).toEqual(
      ["Alpha", "Beta", "Child", "Hidden"].map((name) => `${tag} ${name}`),
    );

    const page = await fetch(`${api.saas.url}/api/v4/groups?search=${tag}&per_page=3&page=2`, {
      headers: { "private-token": (await nonAdmin()).token },
    });
    expect(page.headers.get("x-total")).toBe("0");
    const adminPage = await api.admin("GET", `/groups?search=${tag}&per_page=3&page=2`);
    expect(adminPage.body.map((group: { id: number }) => group.id)).toHaveLength(1);
  });

  it("GET /groups/:id/members lists its own members; /members/all adds the ancestors', each user once at their highest level", async () => {
    const owner = await nonAdmin();
    const [developer, reporter] = [await newUser(), await newUser()];
    const parent = (await owner.call("POST", "/groups", { json: { name: "P", path: unique("p") } }))
      .body;
    const sub = (
      await owner.call("POST", "/groups", { json: { name: "S", path: "s", parent_id: parent.id } })
    ).body;
    await owner.call("POST", `/groups/${parent.id}/members`, {
      json: { user_id: developer.id, access_level: 30 },
    });
    await owner.call("POST", `/groups/${sub.id}/members`, {
      json: { user_id: developer.id, access_level: 10 },
    });
    await owner.call("POST", `/groups/${sub.id}/members`, {
      json: { user_id: reporter.id, access_level: 20 },
    });

    const own = await owner.call("GET", `/groups/${sub.id}/members`);
    expect(
      own.body.map((m: { id: number; access_level: number }) => [m.id, m.access_level]),
    ).toEqual([
      [owner.user.id, 50],
      [developer.id, 10],
      [reporter.id, 20],
    ]);
    expect(own.body[1]).toEqual({
      id: developer.id,
      username: developer.username,
      name: expect.any(String),
      state: "active",
      access_level: 10,
      created_at: expect.any(String),
    });
    const all = await owner.call("GET", `/groups/${sub.id}/members/all/`);
    expect(
      all.body.map((m: { id: number; access_level: number }) => [m.id, m.access_level]),
    ).toEqual([
      [owner.user.id, 50],
      [developer.id, 30],
      [reporter.id, 20],
    ]);
    const secondPage = await fetch(
      `${api.saas.url}/api/v4/groups/${sub.id}/members/all?per_page=2&page=2`,
      {
        headers: { "private-token": owner.token },
      },
    );
    expect(secondPage.headers.get("x-total")).toBe("3");
    expect(((await secondPage.json()) as { id: number }[]).map((m) => m.id)).toEqual([reporter.id]);

    expect(
      (await owner.call("GET", `/groups/${sub.id}/members/${reporter.id}`)).body.access_level,
    ).toBe(20);
    expect(await owner.call("GET", `/groups/${sub.id}/members/999999`)).toEqual({
      status: 404,
      body: { message: "404 Member Not Found" },
    });
    expect((await (await nonAdmin()).call("GET", `/groups/${sub.id}/members`)).status).toBe(404);
  });

  it("PUT /groups/:id/members/:user_id changes an access level; a service account's only by administrators", async () => {
    const owner = await nonAdmin();
    const member = await newUser();
    const group = (await owner.call("POST", "/groups", { json: { name: "T", path: unique("t") } }))
      .body;
    await owner.call("POST", `/groups/${group.id}/members`, {
      json: { user_id: member.id, access_level: 30 },
    });
    expect(
      await owner.call("PUT", `/groups/${group.id}/members/${member.id}`, {
        form: { access_level: "40" },
      }),
    ).toMatchObject({ status: 200, body: { id: member.id, access_level: 40 } });
    expect(
      (
        await owner.call("PUT", `/groups/${group.id}/members/${member.id}`, {
          json: { access_level: 35 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await owner.call("PUT", `/groups/${group.id}/members/999999`, {
          json: { access_level: 30 },
        })
      ).status,
    ).toBe(404);

    const account = (await api.admin("POST", "/service_accounts", { json: {} })).body;
    await api.admin("POST", `/groups/${group.id}/members`, {
      json: { user_id: account.id, access_level: 30 },
    });
    expect(
      await owner.call("PUT", `/groups/${group.id}/members/${account.id}`, {
        json: { access_level: 10 },
      }),
    ).toEqual({ status: 403, body: FORBIDDEN });
    expect(
      (
        await api.admin("PUT", `/groups/${group.id}/members/${account.id}`, {
          json: { access_level: 10 },
        })
      ).body.access_level,
    ).toBe(10);
  });
});
