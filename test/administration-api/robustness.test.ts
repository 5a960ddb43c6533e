import { fixedToken } from "@token-broker/testing";
import { describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { EDITOR_DEFAULTS } from "../support/editor-settings.ts";
import { startSelfManaged } from "../support/services.ts";
import { ROOT_TOKEN, useAdminApi } from "./admin-api.ts";

const api = useAdminApi();

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
    const response = await fetch(`${api.saas.url}/api/v4/users`, {
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
    ).toEqual({
      instance_level_code_suggestions_enabled: true,
      ai_access_token_set: false,
      ...EDITOR_DEFAULTS,
    });
    expect((await call("GET", "/user")).body).toMatchObject({ username: "root", is_admin: true });
  } finally {
    await selfManaged.close();
  }
});
