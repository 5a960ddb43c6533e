/**
 * Container smoke test: the AI gateway's part of the flow (flow.ts). The legacy token from
 * SaaS, relayed by self-managed, goes to the gateway's `/v2/completions` as GitLab 16.1–16.2
 * editors sent it; the same token is refused where only the new tokens are accepted, and no
 * token is refused with GitLab's message. Then a completion through self-managed, as today's
 * language server asks it (its instance token fetched from SaaS, sent to the gateway).
 * Returns what it saw, a line each; throws at the first answer that is not the contract's.
 */

const COMPLETION = {
  current_file: {
    file_name: "smoke.py",
    language_identifier: "python",
    content_above_cursor: "def add(a, b):\n    ",
    content_below_cursor: "\n",
  },
};

/** What the language server sends to `/api/v4/code_suggestions/completions`. */
const LANGUAGE_SERVER_COMPLETION = {
  prompt_version: 1,
  project_path: "",
  project_id: -1,
  current_file: {
    file_name: "smoke.py",
    content_above_cursor: "def add(a, b):\n    ",
    content_below_cursor: "",
  },
};

async function post(url: string, headers: Record<string, string>, request: object = COMPLETION) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(request),
  });
  const text = await response.text();
  const body = (() => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(
        `POST ${url} answered ${response.status} with no JSON: ${text.slice(0, 200)}`,
      );
    }
  })();
  return { status: response.status, body, text };
}

function expectStatus(what: string, answer: { status: number; text: string }, status: number) {
  if (answer.status !== status) {
    throw new Error(`${what}: ${answer.status} instead of ${status}: ${answer.text.slice(0, 300)}`);
  }
}

export async function checkGateway(
  gatewayUrl: string,
  legacyToken: string,
  model: "answers" | "unset",
): Promise<string[]> {
  const seen: string[] = [];
  const oidc = { "x-gitlab-authentication-type": "oidc" };

  const anonymous = await post(`${gatewayUrl}/v2/completions`, oidc);
  expectStatus("no token", anonymous, 401);
  if (anonymous.body.error !== "No authorization header presented") {
    throw new Error(`no token: ${anonymous.text}`);
  }
  seen.push("gateway: no token → 401 No authorization header presented");

  // aud gitlab-code-suggestions is not gitlab-ai-gateway: only the legacy route takes it.
  const confused = await post(`${gatewayUrl}/v2/code/completions`, {
    ...oidc,
    authorization: `Bearer ${legacyToken}`,
  });
  expectStatus("the legacy token on /v2/code/completions", confused, 401);
  seen.push(`gateway: the legacy token on /v2/code/completions → 401 ${confused.body.error}`);

  const completion = await post(`${gatewayUrl}/v2/completions`, {
    ...oidc,
    authorization: `Bearer ${legacyToken}`,
  });
  seen.push(`gateway: the legacy token on /v2/completions → ${outcome(completion, model)}`);
  return seen;
}

/**
 * The answer a completion must get: with a model server, GitLab's completion; without one
 * (the token was accepted, its keys fetched from SaaS), the gateway's 503 naming
 * MODEL_ENDPOINT. Returns it in words.
 */
function outcome(completion: Awaited<ReturnType<typeof post>>, model: "answers" | "unset"): string {
  if (model === "unset") {
    expectStatus("a completion without a model server", completion, 503);
    if (!String(completion.body.detail).includes("MODEL_ENDPOINT")) {
      throw new Error(`the 503 does not say to set MODEL_ENDPOINT: ${completion.text}`);
    }
    return `503 ${completion.body.detail}`;
  }
  expectStatus("a completion", completion, 200);
  const [choice] = (completion.body.choices ?? []) as { text?: unknown }[];
  if (
    completion.body.object !== "text_completion" ||
    typeof choice?.text !== "string" ||
    choice.text === ""
  ) {
    throw new Error(`the completion is not GitLab's shape: ${completion.text.slice(0, 300)}`);
  }
  const answeredBy = (completion.body.model as { name?: string } | undefined)?.name;
  return `200, ${choice.text.length} characters from model ${answeredBy}`;
}

/**
 * A completion through self-managed (`POST /api/v4/code_suggestions/completions` with the
 * developer's token), as the language server asks it: self-managed sends it to the gateway
 * with its instance token.
 */
export async function checkCompletionThroughInstance(
  selfManagedUrl: string,
  developerToken: string,
  model: "answers" | "unset",
): Promise<string> {
  const completion = await post(
    `${selfManagedUrl}/api/v4/code_suggestions/completions`,
    { authorization: `Bearer ${developerToken}` },
    LANGUAGE_SERVER_COMPLETION,
  );
  return `self-managed: POST /api/v4/code_suggestions/completions → ${outcome(completion, model)}`;
}
