import { expect, it } from "vitest";
import { newUser, ROOT_TOKEN, useAdminApi } from "../administration-api/admin-api.ts";

const api = useAdminApi();

async function call(method: string, path: string, json: unknown) {
  const response = await fetch(`${api.saas.url}/api/v4${path}`, {
    method,
    headers: { "private-token": ROOT_TOKEN, "content-type": "application/json" },
    body: JSON.stringify(json),
  });
  return {
    status: response.status,
    cache: response.headers.get("cache-control"),
    body: (await response.json()) as { id: number; token: unknown },
  };
}

// A new or rotated personal access token was answered without `Cache-Control: no-store`
// (the token endpoint had it): a shared cache or a browser could keep the token.
it("every answer carrying a token in plain text says Cache-Control: no-store", async () => {
  const user = await newUser();
  const created = await call("POST", `/users/${user.id}/personal_access_tokens`, {
    name: "t",
    scopes: ["api"],
  });
  expect([created.status, created.cache, typeof created.body.token]).toEqual([
    201,
    "no-store",
    "string",
  ]);
  const rotated = await call("POST", `/personal_access_tokens/${created.body.id}/rotate`, {});
  expect([rotated.status, rotated.cache, typeof rotated.body.token]).toEqual([
    200,
    "no-store",
    "string",
  ]);
  // An answer without a secret keeps the default.
  const listed = await fetch(`${api.saas.url}/api/v4/personal_access_tokens`, {
    headers: { "private-token": ROOT_TOKEN },
  });
  expect(listed.headers.get("cache-control")).toBeNull();
});
