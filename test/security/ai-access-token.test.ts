import { runConsole } from "@token-broker/console";
import { readInstanceConfig } from "@token-broker/instance";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import {
  fixedToken,
  queryDatabase,
  type RunningService,
  TEST_KEY_BASE,
} from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient } from "../support/api-client.ts";
import { EDITOR_DEFAULTS } from "../support/editor-settings.ts";
import { startSelfManaged } from "../support/services.ts";

const ROOT = fixedToken("AiAccessTokenRoot");
const REFUSED = { message: "ai_access_token is invalid" };
/** NUL is refused for every field, before the route: GitLab's plain 400. */
const NUL_REFUSED = { message: "400 Bad request" };
const NOT_TOKENS = [
  ["CR/LF", `${fixedToken("Injected")}\r\nX-Injected: 1`, REFUSED],
  ["a line feed at the end", `${fixedToken("Trailing")}\n`, REFUSED],
  ["NUL", `${fixedToken("Nul")}\u0000`, NUL_REFUSED],
  ["a space", "glpat-with space000000000", REFUSED],
  ["a tab", "glpat-with\ttab0000000000", REFUSED],
  ["DEL", "glpat-with\u007fdel000000000", REFUSED],
  ["a non-ASCII character", "glpat-withé00000000000000", REFUSED],
  ["256 characters", "a".repeat(256), REFUSED],
] as const;

let selfManaged: RunningService<SelfManagedConfig>;
beforeAll(async () => {
  selfManaged = await startSelfManaged("http://127.0.0.1:9", { env: { INITIAL_ROOT_TOKEN: ROOT } });
});
afterAll(() => selfManaged?.close());

const storedToken = async () =>
  (
    await queryDatabase<{ encrypted_ai_access_token: string | null }>(
      selfManaged.databaseUrl,
      "SELECT encrypted_ai_access_token FROM application_settings",
    )
  )[0]?.encrypted_ai_access_token;

it.each(NOT_TOKENS)(
  "PUT /application/settings refuses %s with 400 and stores nothing",
  async (_why, value, body) => {
    const call = apiClient(selfManaged.url, ROOT);
    expect(await call("PUT", "/application/settings", { json: { ai_access_token: "" } })).toEqual({
      status: 200,
      body: {
        instance_level_code_suggestions_enabled: false,
        ai_access_token_set: false,
        ...EDITOR_DEFAULTS,
      },
    });
    for (const request of [
      { json: { ai_access_token: value } },
      { form: { ai_access_token: value } },
    ]) {
      expect(await call("PUT", "/application/settings", request)).toEqual({ status: 400, body });
    }
    expect(await storedToken()).toBeNull();
  },
);

it("a token of 255 printable characters is stored, and an empty string removes it", async () => {
  const call = apiClient(selfManaged.url, ROOT);
  const longest = `glpat-${"x".repeat(249)}`;
  expect(
    (await call("PUT", "/application/settings", { json: { ai_access_token: longest } })).body,
  ).toMatchObject({ ai_access_token_set: true });
  expect(await storedToken()).not.toBeNull();
  await call("PUT", "/application/settings", { json: { ai_access_token: "" } });
  expect(await storedToken()).toBeNull();
});

it("the console's settings set refuses the same values", async () => {
  const run = (argv: string[]) =>
    runConsole({
      readConfig: (env) => readInstanceConfig("self-managed", env, "/tmp"),
      argv,
      env: { DATABASE_URL: selfManaged.databaseUrl, DB_KEY_BASE: TEST_KEY_BASE },
      io: { out: () => {}, err: () => {}, readStdin: async () => "" },
      invocation: "console",
    });
  expect(
    await run(["settings", "set", "--ai-access-token", `${fixedToken("Console")}\r\nX: 1`]),
  ).not.toBe(0);
  expect(await storedToken()).toBeNull();
});
