import type { SaasConfig } from "@token-broker/saas/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import { head, rawExchange } from "./raw-http.ts";

let saas: RunningService<SaasConfig>;
let admin: string;
let host: string;

beforeAll(async () => {
  saas = await startSaas();
  admin = (await saas.fixtures.userWithToken({ admin: true })).token;
  host = `Host: ${new URL(saas.url).host}`;
});
afterAll(() => saas?.close());

const SETTINGS = "/api/v4/application/settings";

function post(body: string, token = admin) {
  return fetch(`${saas.url}/api/v4/users`, {
    method: "POST",
    headers: { "private-token": token, "content-type": "application/json" },
    body,
  });
}

it("a deeply nested body is refused (400, or 413 over 64 KB) and does not block other requests", async () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const hostile = [30_000, 32_000, 200_000].map((depth) => post(nested(depth)));
  const objects = post(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`);
  const meanwhile = fetch(`${saas.url}/api/v4/user`, { headers: { "private-token": admin } });
  expect((await meanwhile).status).toBe(200);
  const statuses = await Promise.all([...hostile, objects].map(async (r) => (await r).status));
  expect(statuses).toEqual([400, 400, 413, 400]);
});

it("headers over Node's 16 KB limit answer 431 with GitLab's body", async () => {
  const answer = await rawExchange(
    saas.url,
    head("GET /api/v4/user HTTP/1.1", [host, `X-Padding: ${"a".repeat(20_000)}`]),
  );
  expect(answer.status).toBe(431);
  expect(JSON.parse(answer.body)).toEqual({ message: "431 Request Header Fields Too Large" });
});

it.each([
  ["a malformed request line", "GET /api/v4/user HTTP/1.1 extra"],
  ["a header without a colon", "GET /api/v4/user HTTP/1.1\r\nBroken header"],
  ["a NUL in a header", "GET /api/v4/user HTTP/1.1\r\nX-A: a\0b"],
  ["a raw non-ASCII byte in the path", "GET /api/v4/users/\xff HTTP/1.1"],
])("%s answers 400, never 500", async (_why, requestLine) => {
  const answer = await rawExchange(
    saas.url,
    Buffer.from(head(requestLine, [host, `Authorization: Bearer ${admin}`]), "latin1"),
  );
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
});

it("duplicate credential headers never authenticate twice nor fail", async () => {
  const other = (await saas.fixtures.userWithToken()).token;
  for (const headers of [
    [`Authorization: Bearer ${admin}`, `Authorization: Bearer ${other}`],
    [`Private-Token: ${admin}`, `PRIVATE-TOKEN: ${other}`],
    [`Private-Token: ${admin}`, `Authorization: Bearer ${other}`],
  ]) {
    const answer = await rawExchange(
      saas.url,
      head("GET /api/v4/user HTTP/1.1", [host, "Connection: close", ...headers]),
    );
    expect([200, 401]).toContain(answer.status);
  }
});

it("every credential spelling the reader accepts authenticates; ambiguous ones do not", async () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${saas.url}/api/v4${path}`, { headers }).then((response) => response.status);
  expect(await get("/user", { authorization: `Bearer ${admin}` })).toBe(200);
  expect(await get("/user", { authorization: `bEaReR ${admin}` })).toBe(200);
  expect(await get("/user", { "PrIvAtE-ToKeN": admin })).toBe(200);
  expect(await get(`/user?private_token=${admin}`)).toBe(200);
  expect(await get(`/user?private%5Ftoken=${admin}`)).toBe(200);
  expect(await get(`/user?private_token=${admin}&private_token=${admin}`)).toBe(401);
  expect(await get("/user", { authorization: `Basic ${admin}` })).toBe(401);
  expect(await get("/user", { authorization: `Bearer ${admin}\u00a0` })).toBeLessThan(500);
});

it("a body sent slowly is cut off: 408 and the connection closed, within the request timeout", async () => {
  // The server must end the exchange on its own: the client never sends the rest.
  const answer = await rawExchange(
    saas.url,
    `${head(`PUT ${SETTINGS} HTTP/1.1`, [
      host,
      `Private-Token: ${admin}`,
      "Content-Type: application/json",
      "Content-Length: 1000",
    ])}{"instance_level_code_suggestions_enabled":`,
  );
  expect(answer.status).toBe(408);
  expect(JSON.parse(answer.body)).toEqual({ message: "408 Request Timeout" });
}, 20_000);
