import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSaas, startSelfManaged } from "./support/services.ts";
import { verifyCodeSuggestionsToken } from "./support/verify-token.ts";

const SAAS_ROOT = fixedToken("PythonSaasRoot");
const SELF_MANAGED_ROOT = fixedToken("PythonSmRoot");
/** Debian's python3-gitlab lives with Debian's interpreter, not a pyenv shim on PATH. */
const PYTHON = "/usr/bin/python3";
const FLOW = path.join(import.meta.dirname, "clients", "python_gitlab_flow.py");

let saas: RunningService<SaasConfig>;
let selfManaged: RunningService<SelfManagedConfig>;
beforeAll(async () => {
  saas = await startSaas({ env: { INITIAL_ROOT_TOKEN: SAAS_ROOT } });
  selfManaged = await startSelfManaged(saas.url, {
    env: { INITIAL_ROOT_TOKEN: SELF_MANAGED_ROOT },
  });
});
afterAll(async () => {
  await selfManaged?.close();
  await saas?.close();
});

it("python-gitlab sets up the whole flow on both instances and gets a token through self-managed", async () => {
  const { stdout } = await promisify(execFile)(PYTHON, [FLOW, saas.url, selfManaged.url], {
    env: {
      PATH: process.env.PATH,
      SAAS_ROOT_TOKEN: SAAS_ROOT,
      SELF_MANAGED_ROOT_TOKEN: SELF_MANAGED_ROOT,
      // python-gitlab's warnings (a base URL that differs, say) would mean something is off.
      PYTHONWARNINGS: "error",
    },
    timeout: 60_000,
  });
  const seen = JSON.parse(stdout);
  expect(seen).toEqual({
    saas_version: ["17.2.0", expect.any(String)],
    self_managed_version: ["17.2.0", expect.any(String)],
    editor_user: "python-dev",
    saas: {
      feature: { name: "code_suggestions_for_instance_admin_enabled", state: "conditional" },
      member_access_level: 30,
      features: ["code_suggestions_for_instance_admin_enabled"],
      groups: ["python-customers"],
      members: [
        ["python-bot", 20],
        ["root", 50],
      ],
      all_members: ["python-bot", "root"],
      saved_access_level: 20,
    },
    settings: { instance_level_code_suggestions_enabled: true, ai_access_token_set: true },
    code_suggestions: {
      access_token: expect.any(String),
      expires_in: 3600,
      created_at: expect.any(Number),
    },
    refused_after_revoke: { status: 401, message: "invalid_token" },
    saas_usernames: ["python-bot", "root"],
  });
  const { payload } = await verifyCodeSuggestionsToken(
    seen.code_suggestions.access_token,
    saas.url,
  );
  expect(payload.gitlab_realm).toBe("self-managed");
}, 90_000);
