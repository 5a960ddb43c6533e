import { createTokenDigester } from "@token-broker/auth";
import { readInstanceConfig } from "@token-broker/config";
import { createTestDatabase, queryDatabase, type TestDatabase } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConsole } from "../src/run-console.ts";

const KEY_BASE = "console-test-key-base-0123456789abcdef";

describe("the console", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database.drop());

  async function run(argv: string[], stdin = "") {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runConsole({
      readConfig: (env) => readInstanceConfig("saas", env, "/tmp"),
      argv,
      env: { DATABASE_URL: database.url, DB_KEY_BASE: KEY_BASE },
      io: {
        out: (line) => out.push(line),
        err: (line) => err.push(line),
        readStdin: async () => stdin,
      },
      invocation: "console",
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  const query = <T extends Record<string, unknown>>(sql: string) =>
    queryDatabase<T>(database.url, sql);

  it("migrates a new database and creates a user", async () => {
    const result = await run([
      "users",
      "create",
      "--username",
      "alice",
      "--email",
      "alice@example.com",
      "--name",
      "Alice",
    ]);
    expect(result).toEqual({
      code: 0,
      out: expect.stringMatching(/^created user alice \(id \d+\)$/),
      err: "",
    });
  });

  it("creates a token, printing only the token on standard output, once", async () => {
    const result = await run([
      "tokens",
      "create",
      "alice",
      "--name",
      "editor",
      "--scopes",
      "api,ai_features",
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
    expect(result.err).toContain('created token "editor"');
    const [row] = await query<{ token_digest: string; scopes: string[] }>(
      "SELECT token_digest, scopes FROM personal_access_tokens WHERE name = 'editor'",
    );
    expect(row?.token_digest).toBe(createTokenDigester(KEY_BASE)(result.out));
    expect(row?.scopes).toEqual(["api", "ai_features"]);
  });

  it("enables and disables feature flags globally or for one user", async () => {
    expect(
      (
        await run([
          "features",
          "enable",
          "code_suggestions_for_instance_admin_enabled",
          "--user",
          "alice",
        ])
      ).out,
    ).toBe("code_suggestions_for_instance_admin_enabled: conditional (enabled for alice)");
    expect((await run(["features", "list"])).out).toMatch(
      /^code_suggestions_for_instance_admin_enabled: conditional \(User:\d+\)$/,
    );
    expect((await run(["features", "disable", "code_suggestions_tokens_api"])).out).toBe(
      "code_suggestions_tokens_api: off",
    );
    expect((await run(["features", "delete", "code_suggestions_tokens_api"])).out).toBe(
      "code_suggestions_tokens_api: back to its default",
    );
  });

  it("stores ai_access_token from standard input, encrypted, and never shows it", async () => {
    const secret = "glpat-ConsoleServiceTok00";
    const set = await run(
      ["settings", "set", "--instance-level-code-suggestions", "true", "--ai-access-token-stdin"],
      secret,
    );
    expect(set).toEqual({
      code: 0,
      out: [
        "instance_level_code_suggestions_enabled: true",
        "ai_access_token: set",
        "ai_gateway_url: http://localhost:5052",
        "disabled_direct_code_suggestions: false",
      ].join("\n"),
      err: "",
    });
    const shown = await run(["settings", "show"]);
    expect(shown.out).toContain("ai_access_token: set");
    expect(shown.out + (await run(["status"])).out).not.toContain(secret.slice(6));
    const [row] = await query<{ encrypted_ai_access_token: string }>(
      "SELECT encrypted_ai_access_token FROM application_settings",
    );
    expect(row?.encrypted_ai_access_token).not.toContain(secret.slice(6));
    expect((await run(["settings", "set", "--remove-ai-access-token"])).out).toContain(
      "ai_access_token: not set",
    );
  });

  it("creates groups and subgroups, changes their settings and adds members", async () => {
    expect((await run(["groups", "create", "--name", "Acme", "--path", "acme"])).out).toMatch(
      /^created group acme/,
    );
    expect(
      (await run(["groups", "create", "--name", "Web", "--path", "web", "--parent", "acme"])).out,
    ).toMatch(/^created group acme\/web/);
    expect((await run(["groups", "update", "acme", "--code-suggestions", "false"])).out).toBe(
      "acme: code_suggestions false, third_party_ai_features_enabled true",
    );
    expect(
      (await run(["groups", "add-member", "acme/web", "alice", "--access-level", "40"])).out,
    ).toBe("added alice to acme/web (access level 40)");
  });

  it("blocks users and sets their preference", async () => {
    expect((await run(["users", "block", "alice"])).out).toBe("blocked user alice");
    expect((await run(["users", "unblock", "alice"])).out).toBe("unblocked user alice");
    expect((await run(["users", "preferences", "alice", "--code-suggestions", "false"])).out).toBe(
      "code suggestions off for alice",
    );
  });

  it("shows the instance's state", async () => {
    const { code, out } = await run(["status"]);
    expect(code).toBe(0);
    expect(out).toMatch(/instance_uuid: [0-9a-f-]{36}/);
    expect(out).toMatch(/users: 2 \(1 administrators, 0 blocked\)/);
  });

  it("creates a service account, named or with generated defaults, and adds it to a group", async () => {
    expect(await run(["users", "create-service-account", "--username", "sm-bot"])).toEqual({
      code: 0,
      out: expect.stringMatching(/^created service account sm-bot \(id \d+\)$/),
      err: "",
    });
    expect((await run(["users", "create-service-account"])).out).toMatch(
      /^created service account service_account_[0-9a-f]{32} \(id \d+\)$/,
    );
    const rows = await query<{ username: string; name: string; password_digest: string | null }>(
      "SELECT username, name, password_digest FROM users WHERE user_type = 'service_account' ORDER BY id",
    );
    expect(rows).toMatchObject([
      { username: "sm-bot", name: "Service account user", password_digest: null },
      { name: "Service account user", password_digest: null },
    ]);
    // The console acts as an administrator, who may put a service account in a group.
    await run(["groups", "create", "--name", "Bots", "--path", "bots"]);
    expect((await run(["groups", "add-member", "bots", "sm-bot"])).code).toBe(0);
  });

  it.each([
    { argv: ["users", "create", "--username", "bob"], message: "--email is required" },
    {
      argv: ["users", "create", "--username", "alice", "--email", "a2@example.com", "--name", "A"],
      message: "Username has already been taken",
    },
    {
      argv: ["tokens", "create", "nobody", "--name", "x", "--scopes", "api"],
      message: "User Not Found",
    },
    {
      argv: ["tokens", "create", "alice", "--name", "x", "--scopes", "sudo"],
      message: "scopes does not have a valid value",
    },
    {
      argv: [
        "tokens",
        "create",
        "alice",
        "--name",
        "x",
        "--scopes",
        "api",
        "--expires-at",
        "tomorrow",
      ],
      message: "--expires-at must be a date",
    },
    {
      argv: ["features", "enable", "no_such_flag"],
      message: "Feature flag no_such_flag is not known",
    },
    {
      argv: ["settings", "set", "--instance-level-code-suggestions", "maybe"],
      message: "must be true or false",
    },
    { argv: ["settings", "set"], message: "nothing to change" },
    { argv: ["groups", "add-member", "nowhere", "alice"], message: "Group Not Found" },
    { argv: ["users", "block"], message: "expected <username>" },
    { argv: ["users", "create", "--unknown-option"], message: "Unknown option '--unknown-option'" },
    { argv: ["frobnicate"], message: 'unknown command "frobnicate"' },
  ])("exits 1 with a clear message on bad input: $argv", async ({ argv, message }) => {
    const { code, err } = await run(argv);
    expect(code).toBe(1);
    expect(err).toContain(message);
  });

  it("reads a word starting with '-' as an argument, and an option's value as its value", async () => {
    // A signing key's kid (base64url) may start with "-".
    expect(await run(["tokens", "revoke", "-5"])).toMatchObject({
      code: 1,
      err: expect.stringContaining("the token id must be a number"),
    });
    const result = await run(["groups", "create", "--name", "-dash", "--path", "dash"]);
    expect(result).toMatchObject({ code: 0, out: expect.stringMatching(/^created group dash/) });
    expect(await query<{ name: string }>("SELECT name FROM groups WHERE path = 'dash'")).toEqual([
      { name: "-dash" },
    ]);
  });

  it("changes and removes members, but never a group's last owner", async () => {
    await run(["groups", "create", "--name", "Owned", "--path", "owned"]);
    await run(["groups", "add-member", "owned", "alice", "--access-level", "50"]);
    for (const argv of [
      ["groups", "set-access-level", "owned", "alice", "--access-level", "40"],
      ["groups", "remove-member", "owned", "alice"],
    ]) {
      expect(await run(argv)).toMatchObject({
        code: 1,
        err: expect.stringContaining("A group must have at least one owner"),
      });
    }
    await run([
      "users",
      "create",
      "--username",
      "bob",
      "--email",
      "bob@example.com",
      "--name",
      "B",
    ]);
    await run(["groups", "add-member", "owned", "bob", "--access-level", "50"]);
    expect(
      (await run(["groups", "set-access-level", "owned", "alice", "--access-level", "30"])).out,
    ).toBe("alice in owned: access level 30");
    expect((await run(["groups", "remove-member", "owned", "alice"])).out).toBe(
      "removed alice from owned",
    );
  });

  it("prints help for every command, and for each group of commands", async () => {
    for (const argv of [
      ["--help"],
      ["users", "create", "--help"],
      ["tokens", "--help"],
      ["status", "--help"],
    ]) {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      expect(out).toMatch(/^usage: console /);
    }
    expect((await run(["settings", "set", "--help"])).out).toContain("--ai-access-token-stdin");
  });
});
