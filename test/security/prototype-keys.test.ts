import { describe, expect, it } from "vitest";
import { newUser, ROOT_TOKEN, unique, useAdminApi } from "../administration-api/admin-api.ts";

const api = useAdminApi();

/** One request in each way parameters arrive, each carrying a key that names a prototype. */
function poisoned(fields: Record<string, unknown>) {
  const json = JSON.stringify(fields).slice(1, -1);
  const comma = json === "" ? "" : ",";
  const form = new URLSearchParams(
    Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)]),
  ).toString();
  const and = form === "" ? "" : "&";
  return [
    { body: `{${json}${comma}"__proto__":${JSON.stringify(fields)}}`, type: "application/json" },
    { body: `{${json}${comma}"a":{"__proto__":{"admin":true}}}`, type: "application/json" },
    {
      body: `{${json}${comma}"constructor":{"prototype":${JSON.stringify(fields)}}}`,
      type: "application/json",
    },
    { body: `{${json}${comma}"prototype":{}}`, type: "application/json" },
    { body: `${form}${and}__proto__=x`, type: "application/x-www-form-urlencoded" },
    { body: `${form}${and}__proto__[]=x`, type: "application/x-www-form-urlencoded" },
    { body: `${form}${and}constructor=x`, type: "application/x-www-form-urlencoded" },
    { body: `${form}${and}prototype=x`, type: "application/x-www-form-urlencoded" },
    {
      query: "__proto__[admin]=true&__proto__=x",
      body: JSON.stringify(fields),
      type: "application/json",
    },
    { query: "constructor=x", body: JSON.stringify(fields), type: "application/json" },
  ];
}

async function send(
  method: string,
  path: string,
  request: { body: string; type: string; query?: string },
) {
  const query = request.query === undefined ? "" : `?${request.query}`;
  const response = await fetch(`${api.saas.url}/api/v4${path}${query}`, {
    method,
    headers: { "private-token": ROOT_TOKEN, "content-type": request.type },
    body: request.body,
  });
  return { status: response.status, body: (await response.json()) as { message?: string } };
}

// `{"__proto__":{"admin":true}}` as the body of PUT /users/:id made the user an
// administrator: the parameter normaliser assigned `__proto__` into a plain object, so
// `admin` was read from its new prototype.
describe("a parameter named __proto__, constructor or prototype is refused, in JSON, forms and query strings", () => {
  it("on users: no one becomes an administrator", async () => {
    const user = await newUser();
    for (const request of poisoned({ admin: true })) {
      const answer = await send("PUT", `/users/${user.id}`, request);
      expect(answer.status, request.body).toBe(400);
      expect(answer.body.message).toMatch(/not allowed as (a )?parameter name/);
    }
    for (const request of poisoned({
      username: unique("u"),
      email: `${unique("e")}@x.y`,
      name: "N",
    })) {
      expect((await send("POST", "/users", request)).status, request.body).toBe(400);
    }
    expect((await api.admin("GET", `/users/${user.id}`)).body.is_admin).toBe(false);
  });

  it("on every other family: tokens, groups, features, settings, service accounts", async () => {
    const user = await newUser();
    const group = (await api.admin("POST", "/groups", { json: { name: "G", path: unique("g") } }))
      .body;
    const routes: [string, string, Record<string, unknown>][] = [
      ["POST", `/users/${user.id}/personal_access_tokens`, { name: "t", scopes: "api" }],
      ["PUT", `/groups/${group.id}`, { code_suggestions: false }],
      ["POST", `/groups/${group.id}/members`, { user_id: user.id, access_level: 30 }],
      ["POST", "/features/code_suggestions_for_instance_admin_enabled", { value: true }],
      ["PUT", "/application/settings", { instance_level_code_suggestions_enabled: true }],
      ["POST", "/service_accounts", {}],
    ];
    for (const [method, path, fields] of routes) {
      for (const request of poisoned(fields)) {
        expect(
          (await send(method, path, request)).status,
          `${method} ${path} ${request.body}`,
        ).toBe(400);
      }
    }
    // Nothing was applied.
    expect((await api.admin("GET", `/groups/${group.id}`)).body.code_suggestions).toBe(true);
    expect((await api.admin("GET", `/groups/${group.id}/members/${user.id}`)).status).toBe(404);
    expect((await api.admin("GET", "/application/settings")).body).toMatchObject({
      instance_level_code_suggestions_enabled: false,
    });
    expect((await api.admin("GET", `/personal_access_tokens?user_id=${user.id}`)).body).toEqual([]);
  });

  it("in the query string of a route without a body", async () => {
    for (const query of ["__proto__=x", "constructor=x", "prototype=x", "__proto__[]=x"]) {
      expect((await api.admin("GET", `/users?${query}`)).status).toBe(400);
      expect((await api.admin("GET", `/groups?${query}`)).status).toBe(400);
    }
  });
});
