import { Gitlab } from "@gitbeaker/rest";
import type { SaasConfig } from "@token-broker/saas/config";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSaas } from "./support/services.ts";

const ROOT_TOKEN = fixedToken("PaginationRoot");
/** Not the address the tests call: the Link URLs must come from the configuration. */
const EXTERNAL_URL = "https://gitlab.example.com";
const CREATED = 45;
/** root and the users this file creates: the instance has its own database. */
const USERS = CREATED + 1;

let saas: RunningService<SaasConfig>;
beforeAll(async () => {
  saas = await startSaas({ env: { INITIAL_ROOT_TOKEN: ROOT_TOKEN, EXTERNAL_URL } });
  const api = new Gitlab({ host: saas.url, token: ROOT_TOKEN });
  for (let index = 0; index < CREATED; index += 1) {
    await api.Users.create({
      username: `paged${index}`,
      email: `paged${index}@example.com`,
      name: `Paged ${index}`,
    });
  }
});
afterAll(() => saas?.close());

async function list(pathAndQuery: string) {
  const response = await fetch(`${saas.url}/api/v4${pathAndQuery}`, {
    headers: { "private-token": ROOT_TOKEN },
  });
  const header = (name: string) => response.headers.get(name);
  return {
    status: response.status,
    body: (await response.json()) as unknown,
    pages: {
      page: header("x-page"),
      perPage: header("x-per-page"),
      total: header("x-total"),
      totalPages: header("x-total-pages"),
      next: header("x-next-page"),
      prev: header("x-prev-page"),
    },
    link: header("link"),
  };
}

describe("a real client walks every page", () => {
  it("@gitbeaker/rest gets every user once, with GitLab's totals", async () => {
    const api = new Gitlab({ host: saas.url, token: ROOT_TOKEN });
    const { data, paginationInfo } = await api.Users.all({ perPage: 20, showExpanded: true });
    expect(data).toHaveLength(USERS);
    expect(new Set(data.map((user) => user.id)).size).toBe(USERS);
    expect(paginationInfo).toEqual({
      total: USERS,
      totalPages: 3,
      current: 3,
      next: null,
      previous: 2,
      perPage: 20,
    });
  });

  it("@gitbeaker/rest stops at maxPages", async () => {
    const api = new Gitlab({ host: saas.url, token: ROOT_TOKEN });
    const users = await api.Users.all({ perPage: 10, maxPages: 2 });
    expect(users).toHaveLength(20);
  });
});

describe("GitLab's pagination headers", () => {
  const url = (query: string) => `${EXTERNAL_URL}/api/v4/users?${query}`;

  it("on the first page: defaults, next, no previous", async () => {
    const { status, body, pages, link } = await list("/users");
    expect(status).toBe(200);
    expect(body).toHaveLength(20);
    expect(pages).toEqual({
      page: "1",
      perPage: "20",
      total: String(USERS),
      totalPages: "3",
      next: "2",
      prev: "",
    });
    expect(link).toBe(
      [
        `<${url("per_page=20&page=2")}>; rel="next"`,
        `<${url("per_page=20&page=1")}>; rel="first"`,
        `<${url("per_page=20&page=3")}>; rel="last"`,
      ].join(", "),
    );
  });

  it("on a middle page: both neighbours, the other parameters kept", async () => {
    const { body, pages, link } = await list("/users?per_page=10&page=3&order=asc");
    expect(body).toHaveLength(10);
    expect([pages.page, pages.next, pages.prev, pages.totalPages]).toEqual(["3", "4", "2", "5"]);
    expect(link).toBe(
      [
        `<${url("per_page=10&page=2&order=asc")}>; rel="prev"`,
        `<${url("per_page=10&page=4&order=asc")}>; rel="next"`,
        `<${url("per_page=10&page=1&order=asc")}>; rel="first"`,
        `<${url("per_page=10&page=5&order=asc")}>; rel="last"`,
      ].join(", "),
    );
  });

  it("on the last page: the rest, no next", async () => {
    const { body, pages } = await list("/users?per_page=20&page=3");
    expect(body).toHaveLength(USERS - 40);
    expect([pages.next, pages.prev]).toEqual(["", "2"]);
  });

  it("beyond the last page: no items and no neighbours", async () => {
    const { status, body, pages, link } = await list("/users?page=9");
    expect([status, body]).toEqual([200, []]);
    expect([pages.page, pages.next, pages.prev]).toEqual(["9", "", ""]);
    expect(link).not.toMatch(/rel="(next|prev)"/);
  });

  it("a filter counts only what it finds; an empty list is one page", async () => {
    const one = await list("/users?username=paged7");
    expect(one.body).toMatchObject([{ username: "paged7" }]);
    expect([one.pages.total, one.pages.totalPages]).toEqual(["1", "1"]);
    expect(one.link).toContain(`<${url("username=paged7&per_page=20&page=1")}>; rel="last"`);
    const none = await list("/users?username=nobody");
    expect([none.body, none.pages.total, none.pages.totalPages]).toEqual([[], "0", "1"]);
  });

  it("repeated slashes in the path do not make another origin in the links", async () => {
    const response = await fetch(`${saas.url}//api//v4/users?per_page=50`, {
      headers: { "private-token": ROOT_TOKEN },
    });
    expect(response.headers.get("link")).toContain(
      `<${EXTERNAL_URL}/api/v4/users?per_page=50&page=1>; rel="first"`,
    );
  });

  it("takes more than 100 per page as 100, as GitLab does", async () => {
    const { body, pages } = await list("/users?per_page=1000");
    expect(body).toHaveLength(USERS);
    expect(pages.perPage).toBe("100");
  });

  it.each([
    ["page=0", "page is invalid"],
    ["page=-1", "page is invalid"],
    ["page=abc", "page is invalid"],
    ["page=1.5", "page is invalid"],
    [`page=${2 ** 31}`, "page is invalid"],
    ["per_page=0", "per_page is invalid"],
    ["per_page=x", "per_page is invalid"],
  ])("refuses %s with 400", async (query, error) => {
    expect(await list(`/users?${query}`)).toMatchObject({ status: 400, body: { error } });
  });
});

describe("every list paginates", () => {
  it("GET /personal_access_tokens, with its user_id filter", async () => {
    const { user } = await saas.fixtures.userWithToken();
    for (let index = 0; index < 4; index += 1) await saas.fixtures.token(user.id);
    const { body, pages, link } = await list(
      `/personal_access_tokens?user_id=${user.id}&per_page=2`,
    );
    expect(body).toHaveLength(2);
    expect([pages.total, pages.totalPages, pages.next]).toEqual(["5", "3", "2"]);
    expect(link).toContain(`user_id=${user.id}&per_page=2&page=2>; rel="next"`);
  });

  it("GET /features", async () => {
    await saas.fixtures.feature("code_suggestions_tokens_api", { enabled: true });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", { enabled: true });
    const first = await list("/features?per_page=1");
    const second = await list("/features?per_page=1&page=2");
    expect([first.pages.total, first.pages.next, second.pages.prev]).toEqual(["2", "2", "1"]);
    expect([...(first.body as []), ...(second.body as [])]).toMatchObject([
      { name: "code_suggestions_for_instance_admin_enabled", state: "on" },
      { name: "code_suggestions_tokens_api", state: "on" },
    ]);
  });
});
