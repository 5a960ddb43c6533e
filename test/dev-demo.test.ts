import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiClient } from "./support/api-client.ts";
import { sample, scrape } from "./support/metrics.ts";
import { verifyCodeSuggestionsToken } from "./support/verify-token.ts";

const root = path.resolve(import.meta.dirname, "..");

interface DevRun {
  readonly child: ChildProcess;
  output(): string;
  /** The curl command printed once the demo is ready. */
  command(): Promise<string>;
  exited(): Promise<number | null>;
}

function runDev(env: NodeJS.ProcessEnv): DevRun {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "scripts/dev/main.ts")],
    {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const command = new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk;
      const found = /^\s+(curl --request POST .+)$/m.exec(output)?.[1];
      if (found) resolve(found);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    void exited.then(() =>
      reject(new Error(`pnpm dev exited before the demo was ready:\n${output}`)),
    );
  });
  command.catch(() => {});
  return { child, output: () => output, command: () => command, exited: () => exited };
}

/** Runs the printed curl command's request: POST with the printed bearer token. */
async function runCurl(command: string) {
  const [, url, token] =
    /"(http[^"]+)" --header "Authorization: Bearer (glpat-[^"]+)"/.exec(command) ?? [];
  const response = await fetch(url ?? "", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { access_token: string },
  };
}

/** The scopes of the printed token, as editor extensions check them. */
async function tokenScopes(command: string): Promise<string[]> {
  const [, origin, token] =
    /"(http[^"]+?)\/api\/v4[^"]*" --header "Authorization: Bearer ([^"]+)"/.exec(command) ?? [];
  const response = await fetch(`${origin}/api/v4/personal_access_tokens/self`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { scopes: string[] }).scopes;
}

/**
 * Whether a SaaS user who is not an administrator is refused when adding the demo's SaaS
 * account to a group of their own, as it must be (docs/operations.md, Service accounts).
 */
async function strangerMayNotAddServiceAccount(saasUrl: string): Promise<boolean> {
  const { saasRootToken } = JSON.parse(
    await readFile(path.join(dataDir, "dev-secrets.json"), "utf8"),
  );
  const root = apiClient(saasUrl, saasRootToken);
  const username = `stranger${randomBytes(5).toString("hex")}`;
  const stranger = await root("POST", "/users", {
    json: { username, name: "Stranger", email: `${username}@example.com` },
  });
  const { token } = (
    await root("POST", `/users/${stranger.body.id}/personal_access_tokens`, {
      json: { name: "t", scopes: ["api"] },
    })
  ).body;
  const call = apiClient(saasUrl, token);
  const group = await call("POST", "/groups", { json: { name: username, path: username } });
  const added = await call("POST", `/groups/${group.body.id}/members`, {
    json: { username: "code-suggestions-bot", access_level: 10 },
  });
  return added.status === 403;
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "broker-dev-"));
  env = {
    DEV_DATA_DIR: dataDir,
    SAAS_PORT: String(await freePort()),
    SELF_MANAGED_PORT: String(await freePort()),
  };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it("pnpm dev brings both instances up, sets up the demo and prints a curl that works; a restart prints the same", async () => {
  const first = runDev(env);
  let command: string;
  try {
    command = await first.command();
    expect(command).toMatch(
      new RegExp(
        `^curl --request POST "http://localhost:${env.SELF_MANAGED_PORT}/api/v4/code_suggestions/tokens"`,
      ),
    );
    const { status, headers, body } = await runCurl(command);
    expect(status).toBe(201);
    // Rate limits at their defaults, metrics on, on both instances: two tokens went through
    // each, the start's own check and the curl.
    expect(headers.get("ratelimit-limit")).toBe("60");
    for (const port of [env.SAAS_PORT, env.SELF_MANAGED_PORT]) {
      const { text } = await scrape(`http://127.0.0.1:${port}`);
      expect(sample(text, "code_suggestions_tokens_total", { outcome: "issued" })).toBe(2);
    }
    const { payload } = await verifyCodeSuggestionsToken(
      body.access_token,
      `http://localhost:${env.SAAS_PORT}`,
    );
    expect(payload.gitlab_realm).toBe("self-managed");
    expect(await tokenScopes(command)).toEqual(expect.arrayContaining(["api", "read_user"]));
    expect(first.output()).toContain("pnpm console:self-managed health-check");
    expect(await strangerMayNotAddServiceAccount(`http://localhost:${env.SAAS_PORT}`)).toBe(true);
  } finally {
    first.child.kill("SIGINT");
  }
  expect(await first.exited()).toBe(0);
  expect(first.output()).toContain("[saas]");
  expect(first.output()).toContain("[self-managed]");

  const second = runDev(env);
  try {
    expect(await second.command()).toBe(command);
    expect((await runCurl(command)).status).toBe(201);
  } finally {
    second.child.kill("SIGINT");
  }
  expect(await second.exited()).toBe(0);
}, 120_000);
