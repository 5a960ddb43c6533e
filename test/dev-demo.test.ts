import { type ChildProcess, spawn, spawnSync } from "node:child_process";
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

/** Runs `commands` in a shell, as a developer would paste them: the answer's status and JSON. */
function runInShell(commands: string[]) {
  const run = spawnSync(
    "bash",
    ["-c", `${commands.join("\n")} --silent --write-out '\n%{http_code}'`],
    { encoding: "utf8", env: { PATH: process.env.PATH } },
  );
  const lines = run.stdout.trimEnd().split("\n");
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join("\n")) as Record<string, unknown> };
}

/** The printed command that starts with `curl --request POST "<url>"`. */
function printedCurl(output: string, url: string): string {
  const command = new RegExp(`^ {2}(curl --request POST "${url}" .+)$`, "m").exec(output)?.[1];
  expect(command).toBeDefined();
  return command ?? "";
}

/**
 * Runs the printed completion commands (a token from self-managed, then the gateway's
 * /v2/completions with it) in a shell.
 */
function runPrintedCompletion(output: string, gatewayUrl: string) {
  const tokenCommand = /^ {2}(TOKEN=.+)$/m.exec(output)?.[1];
  expect(tokenCommand).toBeDefined();
  return runInShell([tokenCommand ?? "", printedCurl(output, `${gatewayUrl}/v2/completions`)]);
}

/** Runs the printed completion through self-managed (the language server's request). */
function runPrintedEditorCompletion(output: string, selfManagedUrl: string) {
  return runInShell([printedCurl(output, `${selfManagedUrl}/api/v4/code_suggestions/completions`)]);
}

/**
 * The model stand-in (packages/testing) as a process of its own, as a developer would run a
 * model server next to `pnpm dev`; resolves with its base URL once it listens.
 */
async function startModelStandIn(completion: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "packages/testing/src/model-server/cli.ts")],
    {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: String(port), MODEL_STANDIN_COMPLETION: completion },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("listening at")) resolve();
    });
    child.on("exit", () => reject(new Error(`the model stand-in exited:\n${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
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

/** Resolves once pnpm dev has printed `text` (its last lines may arrive after the curl's). */
async function waitForOutput(run: DevRun, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline)
      throw new Error(`pnpm dev did not print "${text}":\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "broker-dev-"));
  env = {
    DEV_DATA_DIR: dataDir,
    SAAS_PORT: String(await freePort()),
    SELF_MANAGED_PORT: String(await freePort()),
    AI_GATEWAY_PORT: String(await freePort()),
  };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it("pnpm dev brings the three services up, sets up the demo and prints a curl that works; a restart prints the same", async () => {
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
    await waitForOutput(first, "Ctrl-C stops all three services.");
    expect(first.output()).toContain("pnpm console:self-managed health-check");
    const gatewayUrl = `http://localhost:${env.AI_GATEWAY_PORT}`;
    const health = await fetch(`${gatewayUrl}/monitoring/healthz`);
    expect(health.status).toBe(200);
    // Its trusted issuer is the local SaaS; without a model server it says what to set.
    expect(first.output()).toContain(
      `AI gateway ${gatewayUrl}: trusts the tokens of SaaS http://localhost:${env.SAAS_PORT}`,
    );
    expect(first.output()).toMatch(/^ {2}MODEL_ENDPOINT=\S+ MODEL_NAME=\S+ .*pnpm dev$/m);
    // No model server: the printed completion gets through (the token is accepted) to the
    // gateway's 503, which says what to set; pnpm dev printed that answer.
    const unset = runPrintedCompletion(first.output(), gatewayUrl);
    expect(unset.status).toBe(503);
    expect(unset.body.detail).toMatch(/MODEL_ENDPOINT/);
    expect(first.output()).toContain(`checked: HTTP 503: ${unset.body.detail}`);
    // How to point an editor at self-managed: its URL and the developer's token (scope api),
    // and the language server's completion through it, which reaches the same 503.
    const selfManagedUrl = `http://localhost:${env.SELF_MANAGED_PORT}`;
    const developerToken = /Bearer (glpat-[^"]+)"/.exec(command)?.[1];
    expect(first.output()).toContain(`[dev]   instance URL: ${selfManagedUrl}\n`);
    expect(first.output()).toContain(
      `[dev]   personal access token: ${developerToken}   (scope api)\n`,
    );
    const throughInstance = runPrintedEditorCompletion(first.output(), selfManagedUrl);
    expect(throughInstance.status).toBe(503);
    expect(throughInstance.body.detail).toMatch(/MODEL_ENDPOINT/);
    expect(await strangerMayNotAddServiceAccount(`http://localhost:${env.SAAS_PORT}`)).toBe(true);
  } finally {
    first.child.kill("SIGINT");
  }
  expect(await first.exited()).toBe(0);
  expect(first.output()).toContain("[saas]");
  expect(first.output()).toContain("[self-managed]");
  expect(first.output()).toContain("[ai-gateway]");

  // Started again with a model server: the same token command, and the printed completion
  // command now gets the model's completion.
  const model = await startModelStandIn("return fibonacci(n - 1) + fibonacci(n - 2)");
  const second = runDev({ ...env, MODEL_ENDPOINT: model.url, MODEL_NAME: "stand-in" });
  try {
    expect(await second.command()).toBe(command);
    expect((await runCurl(command)).status).toBe(201);
    await waitForOutput(second, "Ctrl-C stops all three services.");
    expect(second.output()).toContain("checked: a completion came back");
    const gatewayUrl = `http://localhost:${env.AI_GATEWAY_PORT}`;
    const answered = runPrintedCompletion(second.output(), gatewayUrl);
    expect(answered.status).toBe(200);
    expect(answered.body.choices).toEqual([
      expect.objectContaining({ text: "return fibonacci(n - 1) + fibonacci(n - 2)" }),
    ]);
    const throughInstance = runPrintedEditorCompletion(
      second.output(),
      `http://localhost:${env.SELF_MANAGED_PORT}`,
    );
    expect(throughInstance.status).toBe(200);
    expect(throughInstance.body.choices).toEqual([
      expect.objectContaining({ text: "return fibonacci(n - 1) + fibonacci(n - 2)" }),
    ]);
  } finally {
    second.child.kill("SIGINT");
    model.stop();
  }
  expect(await second.exited()).toBe(0);
}, 150_000);
