import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { startSelfManaged } from "../support/services.ts";

const ROOT = fixedToken("EditorSettingsRoot");
const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(import.meta.dirname, "clients", "python_gitlab_settings.py");
const CONFIGURED_GATEWAY = "http://gateway.internal:5052";

let selfManaged: RunningService<SelfManagedConfig>;
beforeAll(async () => {
  // SaaS is never asked here: the settings are the instance's own.
  selfManaged = await startSelfManaged("http://127.0.0.1:9", {
    env: { INITIAL_ROOT_TOKEN: ROOT, AI_GATEWAY_URL: CONFIGURED_GATEWAY },
  });
});
afterAll(async () => {
  await selfManaged?.close();
});

describe("ai_gateway_url and disabled_direct_code_suggestions", () => {
  it("default to AI_GATEWAY_URL and false, change, and go back to the variable's gateway", async () => {
    const call = apiClient(selfManaged.url, ROOT);
    expect((await call("GET", "/application/settings")).body).toMatchObject({
      ai_gateway_url: CONFIGURED_GATEWAY,
      disabled_direct_code_suggestions: false,
    });
    expect(
      await call("PUT", "/application/settings", {
        form: {
          ai_gateway_url: "https://gateway.example.com/ai/",
          disabled_direct_code_suggestions: "true",
        },
      }),
    ).toMatchObject({
      status: 200,
      body: {
        ai_gateway_url: "https://gateway.example.com/ai",
        disabled_direct_code_suggestions: true,
      },
    });
    const [row] = await selfManaged.database.prisma.$queryRaw<
      { ai_gateway_url: string | null }[]
    >`SELECT ai_gateway_url FROM application_settings`;
    expect(row?.ai_gateway_url).toBe("https://gateway.example.com/ai");
    expect(
      (
        await call("PUT", "/application/settings", {
          json: { ai_gateway_url: "", disabled_direct_code_suggestions: false },
        })
      ).body,
    ).toMatchObject({
      ai_gateway_url: CONFIGURED_GATEWAY,
      disabled_direct_code_suggestions: false,
    });
  });

  it.each([
    ["not a URL", "gateway:5052"],
    ["another scheme", "ftp://gateway.example.com"],
    ["credentials", "https://user:secret@gateway.example.com"],
    ["a query", "https://gateway.example.com/?token=1"],
    ["more than 255 characters", `https://gateway.example.com/${"a".repeat(240)}`],
  ])("refuses %s with 400 and keeps the stored value", async (_why, value) => {
    const call = apiClient(selfManaged.url, ROOT);
    const response = await call("PUT", "/application/settings", {
      json: { ai_gateway_url: value },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toContain("secret");
    expect((await call("GET", "/application/settings")).body).toMatchObject({
      ai_gateway_url: CONFIGURED_GATEWAY,
    });
  });

  it("python-gitlab's gl.settings reads and saves them", async () => {
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [SCRIPT, selfManaged.url, "http://127.0.0.1:5052"],
      {
        env: { PATH: process.env.PATH, ROOT_TOKEN: ROOT, PYTHONWARNINGS: "error" },
        timeout: 30_000,
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      before: { ai_gateway_url: CONFIGURED_GATEWAY, disabled_direct_code_suggestions: false },
      after: { ai_gateway_url: "http://127.0.0.1:5052", disabled_direct_code_suggestions: true },
      refused: { status: 400, message: "ai_gateway_url must be an http or https URL" },
    });
    await apiClient(selfManaged.url, ROOT)("PUT", "/application/settings", {
      json: { ai_gateway_url: "", disabled_direct_code_suggestions: false },
    });
  });
});
