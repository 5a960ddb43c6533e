import { fixedToken } from "@token-broker/testing";
import { describe, expect, it } from "vitest";
import { EDITOR_DEFAULTS } from "../support/editor-settings.ts";
import { FORBIDDEN, newUser, nonAdmin, useAdminApi } from "./admin-api.ts";

const api = useAdminApi();

describe("features", () => {
  const flag = "code_suggestions_for_instance_admin_enabled";

  it("POST /features/:name enables globally or for a user, disables, and DELETE restores the default", async () => {
    const user = await newUser();
    expect(
      await api.admin("POST", `/features/${flag}`, {
        form: { value: "true", user: user.username },
      }),
    ).toEqual({
      status: 201,
      body: {
        name: flag,
        state: "conditional",
        gates: [
          { key: "boolean", value: false },
          { key: "actors", value: [`User:${user.id}`] },
        ],
      },
    });
    expect(
      (await api.admin("POST", `/features/${flag}`, { json: { value: true } })).body.state,
    ).toBe("on");
    expect(
      (await api.admin("POST", `/features/${flag}`, { json: { value: "false" } })).body,
    ).toEqual({
      name: flag,
      state: "off",
      gates: [{ key: "boolean", value: false }],
    });
    expect((await api.admin("GET", "/features")).body).toContainEqual(
      expect.objectContaining({ name: flag, state: "off" }),
    );
    expect(await api.admin("DELETE", `/features/${flag}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect((await api.admin("GET", "/features")).body).not.toContainEqual(
      expect.objectContaining({ name: flag }),
    );
  });

  it("refuses non-admins, unknown flags, bad values and unknown users", async () => {
    const { call } = await nonAdmin();
    expect(await call("GET", "/features")).toEqual({ status: 403, body: FORBIDDEN });
    expect((await call("POST", `/features/${flag}`, { json: { value: true } })).status).toBe(403);
    expect(
      await api.admin("POST", "/features/code_sugestions_typo", { json: { value: true } }),
    ).toEqual({
      status: 400,
      body: { message: "Feature flag code_sugestions_typo is not known" },
    });
    expect(await api.admin("POST", `/features/${flag}`, { json: { value: "perhaps" } })).toEqual({
      status: 400,
      body: { error: "value is invalid" },
    });
    expect(
      await api.admin("POST", `/features/${flag}`, { json: { value: true, user: "no-such-user" } }),
    ).toEqual({
      status: 404,
      body: { message: "404 User Not Found" },
    });
  });
});

describe("application settings", () => {
  it("GET/PUT /application/settings: ai_access_token is write-only and stored encrypted", async () => {
    const secret = fixedToken("ServiceAccountToken");
    expect(
      await api.admin("PUT", "/application/settings", {
        form: { instance_level_code_suggestions_enabled: "true", ai_access_token: secret },
      }),
    ).toEqual({
      status: 200,
      body: {
        instance_level_code_suggestions_enabled: true,
        ai_access_token_set: true,
        ...EDITOR_DEFAULTS,
      },
    });
    const shown = await api.admin("GET", "/application/settings");
    expect(shown.body).toEqual({
      instance_level_code_suggestions_enabled: true,
      ai_access_token_set: true,
      ...EDITOR_DEFAULTS,
    });
    const row = await api.saas.database.prisma.applicationSetting.findUniqueOrThrow({
      where: { id: 1 },
    });
    expect(row.encryptedAiAccessToken).not.toContain(secret.slice(6));

    expect(
      (await api.admin("PUT", "/application/settings", { json: { ai_access_token: "" } })).body,
    ).toEqual({
      instance_level_code_suggestions_enabled: true,
      ai_access_token_set: false,
      ...EDITOR_DEFAULTS,
    });
  });

  it("refuses non-admins and bad input", async () => {
    const { call } = await nonAdmin();
    expect(await call("GET", "/application/settings")).toEqual({ status: 403, body: FORBIDDEN });
    expect(
      (await call("PUT", "/application/settings", { json: { ai_access_token: "x" } })).status,
    ).toBe(403);
    expect(
      await api.admin("PUT", "/application/settings", {
        json: { instance_level_code_suggestions_enabled: "maybe" },
      }),
    ).toEqual({
      status: 400,
      body: { error: "instance_level_code_suggestions_enabled is invalid" },
    });
  });
});
