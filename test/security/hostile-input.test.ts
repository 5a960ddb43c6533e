import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSaas, startSelfManaged } from "../support/services.ts";
import { TOKENS_PATH } from "../support/token-request.ts";

type Service = RunningService<SaasConfig> | RunningService<SelfManagedConfig>;

interface Hostile {
  readonly method: string;
  /** Below /api/v4 unless it starts with /-/. */
  readonly path: string;
  readonly json?: string;
  readonly form?: string;
  readonly bytes?: Buffer;
  /** The statuses GitLab would answer: never a 500. */
  readonly expected: readonly number[];
}

const BIG = "2147483648";
const NUL_JSON = (field: string) => `{"${field}":"a\\u0000b"}`;
const BAD_UTF8 = (field: string) => Buffer.from(`{"${field}":"a\xffb"}`, "latin1");

/** The corpus, per route family; `:user`, `:group`, `:token` are real ids of the instance. */
const CORPUS: Readonly<Record<string, readonly Hostile[]>> = {
  users: [
    ...[BIG, "-1", "0", "99999999999999999999", "4294967296"].map((id) => ({
      method: "GET",
      path: `/users/${id}`,
      expected: [404],
    })),
    { method: "GET", path: "/users/abc", expected: [400] },
    { method: "PUT", path: `/users/${BIG}`, json: '{"name":"x"}', expected: [404] },
    { method: "POST", path: `/users/${BIG}/block`, expected: [404] },
    { method: "POST", path: "/users/-3/unblock", expected: [404] },
    { method: "GET", path: "/users?username=a%00b", expected: [400] },
    { method: "GET", path: "/users?username=%FF%FE", expected: [400] },
    { method: "GET", path: "/users/%FF", expected: [400] },
    { method: "POST", path: "/users", json: NUL_JSON("username"), expected: [400] },
    { method: "POST", path: "/users", json: '{"a\\u0000":1,"name":"x"}', expected: [400] },
    { method: "POST", path: "/users", form: "username=a%00b&email=e@x.y&name=n", expected: [400] },
    { method: "POST", path: "/users", form: "username=a%FFb&email=e@x.y&name=n", expected: [400] },
    { method: "POST", path: "/users", bytes: BAD_UTF8("username"), expected: [400] },
    { method: "PUT", path: "/users/:user", json: NUL_JSON("name"), expected: [400] },
    { method: "GET", path: `/users?page=${BIG}0`, expected: [400] },
  ],
  tokens: [
    { method: "GET", path: `/personal_access_tokens/${BIG}`, expected: [404] },
    { method: "DELETE", path: `/personal_access_tokens/${BIG}`, expected: [404] },
    { method: "DELETE", path: "/personal_access_tokens/0", expected: [404] },
    { method: "POST", path: "/personal_access_tokens/-5/rotate", expected: [404] },
    { method: "GET", path: `/personal_access_tokens?user_id=${BIG}`, expected: [404] },
    { method: "GET", path: "/personal_access_tokens?search=%00", expected: [400] },
    {
      method: "POST",
      path: `/users/${BIG}/personal_access_tokens`,
      json: '{"name":"t","scopes":["api"]}',
      expected: [404],
    },
    {
      method: "POST",
      path: "/users/:user/personal_access_tokens",
      json: '{"name":"t\\u0000","scopes":["api"]}',
      expected: [400],
    },
    {
      method: "POST",
      path: "/users/:user/personal_access_tokens",
      form: "name=t&scopes[]=a%00pi",
      expected: [400],
    },
  ],
  groups: [
    { method: "GET", path: `/groups/${BIG}`, expected: [404] },
    { method: "GET", path: "/groups/-1", expected: [404] },
    { method: "GET", path: "/groups/0", expected: [404] },
    { method: "GET", path: "/groups/a%00b", expected: [400] },
    { method: "PUT", path: `/groups/${BIG}`, json: '{"code_suggestions":false}', expected: [404] },
    { method: "POST", path: "/groups", json: '{"name":"a\\u0000","path":"p"}', expected: [400] },
    { method: "POST", path: "/groups", bytes: BAD_UTF8("name"), expected: [400] },
    {
      method: "POST",
      path: "/groups",
      json: `{"name":"n","path":"p","parent_id":${BIG}}`,
      expected: [404],
    },
    {
      method: "POST",
      path: "/groups/:group/members",
      json: `{"user_id":${BIG},"access_level":30}`,
      expected: [404],
    },
    { method: "DELETE", path: `/groups/:group/members/${BIG}`, expected: [404] },
    { method: "DELETE", path: "/groups/:group/members/0", expected: [404] },
    { method: "DELETE", path: `/groups/${BIG}/members/1`, expected: [404] },
    { method: "GET", path: "/groups?search=a%00b", expected: [400] },
    { method: "GET", path: `/groups?search=${"a".repeat(256)}`, expected: [400] },
    { method: "GET", path: `/groups?page=${BIG}0`, expected: [400] },
    { method: "GET", path: `/groups/${"a".repeat(4096)}`, expected: [400, 404] },
    { method: "GET", path: `/groups/${BIG}/members`, expected: [404] },
    { method: "GET", path: "/groups/:group/members/all?per_page=0", expected: [400] },
    { method: "GET", path: `/groups/:group/members/${BIG}`, expected: [404] },
    {
      method: "PUT",
      path: `/groups/:group/members/${BIG}`,
      json: '{"access_level":30}',
      expected: [404],
    },
    {
      method: "PUT",
      path: "/groups/:group/members/:user",
      json: '{"access_level":"x"}',
      expected: [400],
    },
  ],
  features: [
    { method: "POST", path: "/features/a%00b", json: '{"value":true}', expected: [400] },
    { method: "POST", path: "/features/%FF", json: '{"value":true}', expected: [400] },
    {
      method: "POST",
      path: "/features/code_suggestions_tokens_api",
      json: '{"value":true,"user":"a\\u0000"}',
      expected: [400],
    },
    { method: "DELETE", path: "/features/a%00", expected: [400] },
  ],
  settings: [
    {
      method: "PUT",
      path: "/application/settings",
      json: NUL_JSON("ai_access_token"),
      expected: [400],
    },
    {
      method: "PUT",
      path: "/application/settings",
      bytes: BAD_UTF8("ai_access_token"),
      expected: [400],
    },
    { method: "GET", path: "/application/settings?x=%00", expected: [400] },
  ],
  "token API": [
    { method: "POST", path: "/code_suggestions/tokens?x=%00", expected: [400] },
    { method: "POST", path: "/code_suggestions/tokens?x=%C3%28", expected: [400] },
  ],
  "health and metadata": [
    { method: "GET", path: "/metadata?x=%00", expected: [400] },
    { method: "GET", path: "/version?x=%FF", expected: [400] },
    { method: "GET", path: "/-/liveness/%FF", expected: [400] },
    { method: "GET", path: "/-/readiness?x=%00", expected: [200, 400] },
  ],
};

let saas: RunningService<SaasConfig>;
let selfManaged: RunningService<SelfManagedConfig>;
const admins = new Map<Service, { token: string; user: number; group: number }>();

beforeAll(async () => {
  saas = await startSaas();
  selfManaged = await startSelfManaged(saas.url);
  for (const service of [saas, selfManaged] as Service[]) {
    const { user, token } = await service.fixtures.userWithToken({ admin: true });
    const group = await service.fixtures.group();
    admins.set(service, { token, user: user.id, group: group.id });
  }
});
afterAll(async () => {
  await selfManaged?.close();
  await saas?.close();
});

function send(service: Service, hostile: Hostile) {
  const admin = admins.get(service);
  if (admin === undefined) throw new Error("no administrator");
  const path = hostile.path
    .replace(":user", String(admin.user))
    .replace(":group", String(admin.group));
  const headers: Record<string, string> = { "private-token": admin.token };
  if (hostile.json !== undefined || hostile.bytes !== undefined) {
    headers["content-type"] = "application/json";
  }
  if (hostile.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  const url = `${service.url}${path.startsWith("/-/") ? "" : "/api/v4"}${path}`;
  return fetch(url, {
    method: hostile.method,
    headers,
    body: hostile.json ?? hostile.form ?? hostile.bytes,
  });
}

describe.each([
  ["SaaS", () => saas as Service],
  ["self-managed", () => selfManaged as Service],
])("%s refuses hostile input with GitLab's statuses, never a 500", (_name, service) => {
  it.each(Object.entries(CORPUS))("%s", async (_family, corpus) => {
    const answers = await Promise.all(
      corpus.map(async (hostile) => {
        const response = await send(service(), hostile);
        const body = await response.text();
        return { request: `${hostile.method} ${hostile.path}`, status: response.status, body };
      }),
    );
    for (const [index, answer] of answers.entries()) {
      expect(answer.status, answer.request).toBeLessThan(500);
      expect(corpus[index]?.expected, `${answer.request}: ${answer.body}`).toContain(answer.status);
      expect(answer.body, answer.request).not.toMatch(/stack|prisma|postgres|at \//i);
    }
  });
});

it("names the answer GitLab gives: 404 Not Found for an id beyond 32 bits, 400 for NUL", async () => {
  const admin = admins.get(saas);
  const headers = { "private-token": admin?.token ?? "" };
  const huge = await fetch(`${saas.url}/api/v4/users/${BIG}`, { headers });
  expect([huge.status, await huge.json()]).toEqual([404, { message: "404 Not Found" }]);
  const nul = await fetch(`${saas.url}/api/v4/users?username=a%00b`, { headers });
  expect([nul.status, await nul.json()]).toEqual([400, { message: "400 Bad request" }]);
  expect(nul.headers.get("content-type")).toBe("application/json");
});

it("the token API refuses NUL in a query on both services once the token is valid", async () => {
  for (const service of [saas, selfManaged] as Service[]) {
    const { token } = await service.fixtures.userWithToken();
    const response = await fetch(`${service.url}${TOKENS_PATH}?a=%00`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
  }
});
