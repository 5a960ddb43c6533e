/**
 * The AI gateway's part of `pnpm dev`: one completion asked at start (its answer says whether
 * a model server is set), and what to print about it: the variables that set the model
 * server, and the two commands that get a completion — a fresh SaaS-signed token from
 * self-managed (the legacy flow), then the gateway's `/v2/completions` with it.
 */

export interface GatewayDemoOptions {
  readonly gatewayUrl: string;
  readonly saasUrl: string;
  readonly selfManagedUrl: string;
  /** The demo developer's personal access token on self-managed. */
  readonly developerToken: string;
  /** MODEL_ENDPOINT and MODEL_NAME as `pnpm dev` was started with. */
  readonly modelEndpoint: string | undefined;
  readonly modelName: string | undefined;
}

/** A few lines of Python before the cursor: what an editor sends, as GitLab's clients do. */
const DEMO_COMPLETION = {
  current_file: {
    file_name: "fib.py",
    language_identifier: "python",
    content_above_cursor: "def fibonacci(n):\n    ",
    content_below_cursor: "\n",
  },
};

/** The printed commands, for a POSIX shell with curl and Node (which `pnpm dev` needs anyway). */
export function completionCommands(options: GatewayDemoOptions): string[] {
  const tokenRequest =
    `curl --silent --request POST "${options.selfManagedUrl}/api/v4/code_suggestions/tokens"` +
    ` --header "Authorization: Bearer ${options.developerToken}"`;
  const accessToken = `node --print 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  return [
    `TOKEN="$(${tokenRequest} | ${accessToken})"`,
    `curl --request POST "${options.gatewayUrl}/v2/completions"` +
      ` --header "Authorization: Bearer $TOKEN"` +
      ` --header "X-Gitlab-Authentication-Type: oidc"` +
      ` --header "Content-Type: application/json"` +
      ` --data '${JSON.stringify(DEMO_COMPLETION)}'`,
  ];
}

/** The same request as the printed curl, with a token already issued: its outcome, in words. */
async function checkCompletion(gatewayUrl: string, accessToken: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/v2/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${accessToken}`,
      "content-type": "application/json",
      "x-gitlab-authentication-type": "oidc",
    },
    body: JSON.stringify(DEMO_COMPLETION),
  }).catch(() => undefined);
  if (response === undefined) return "the gateway did not answer";
  if (response.ok) {
    await response.body?.cancel();
    return "a completion came back";
  }
  // The gateway's error bodies name what is wrong (and never carry the code sent).
  const detail = await response.json().then(
    (body) => {
      const { detail } = body as { detail?: unknown };
      return typeof detail === "string" ? `: ${detail}` : "";
    },
    () => "",
  );
  return `HTTP ${response.status}${detail}`;
}

/** Asks for one completion with `accessToken`, then returns the lines to print. */
export async function gatewayDemoLines(
  options: GatewayDemoOptions,
  accessToken: string,
): Promise<string[]> {
  const checked = await checkCompletion(options.gatewayUrl, accessToken);
  const commands = completionCommands(options).map((command) => `  ${command}`);
  const trust = `[dev] AI gateway ${options.gatewayUrl}: trusts the tokens of SaaS ${options.saasUrl}`;
  if (options.modelEndpoint === undefined) {
    return [
      `${trust}; no model server is set, so completions answer 503 (checked: ${checked}).`,
      "[dev] Set MODEL_ENDPOINT and MODEL_NAME (and MODEL_PROMPT_FORMAT: suffix, codestral, codellama,",
      "[dev] codegemma, qwen or starcoder) to an OpenAI-compatible server and start again, e.g. Ollama:",
      "",
      "  MODEL_ENDPOINT=http://localhost:11434 MODEL_NAME=qwen2.5-coder:1.5b MODEL_PROMPT_FORMAT=suffix pnpm dev",
      "",
      "[dev] (No model at hand: the tests' stand-in, PORT=8000 pnpm exec tsx packages/testing/src/model-server/cli.ts,",
      "[dev] then MODEL_ENDPOINT=http://127.0.0.1:8000 MODEL_NAME=stand-in pnpm dev; docs/ai-gateway.md.)",
      "[dev] Then get a completion through the gateway, with a token from self-managed:",
      "",
      ...commands,
      "",
    ];
  }
  return [
    `${trust}; model ${options.modelName ?? "(MODEL_NAME unset)"} at ${options.modelEndpoint} (checked: ${checked}).`,
    "[dev] Get a completion through the gateway, with a token from self-managed:",
    "",
    ...commands,
    "",
  ];
}
