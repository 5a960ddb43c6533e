/**
 * Requests as the GitLab language server (7.x, in the VS Code extension) makes them: its
 * headers, its bodies, its GraphQL documents, byte for byte where it matters.
 */
export const LANGUAGE_SERVER_VERSION = "7.9.0";
export const USER_AGENT =
  "code-completions-language-server-experiment (gitlab.vscode-extension:5.20.0; arch:x64; os:linux 6.1.0)";

export const DOCUMENTS = {
  suggestionsAvailable:
    "query suggestionsAvailable { currentUser { duoCodeSuggestionsAvailable } }",
  chatAvailable: "query suggestionsAvailable { currentUser { duoChatAvailable } }",
  featureFlagsEnabled:
    "query featureFlagsEnabled($name: String!) { featureFlagEnabled(name: $name) }",
  getUser: "query getUser { currentUser { id username name } }",
  getProject:
    "query GetProject($projectPath: ID!) { project(fullPath: $projectPath) { duoFeaturesEnabled } }",
} as const;

/** The feature flags the language server 7.9 asks for at start. */
export const LANGUAGE_SERVER_FLAGS = [
  "advanced_context_resolver",
  "code_suggestions_context",
  "duo_additional_context",
];

/** A completion request's body as the language server sends it (no project: `-1` and ""). */
export function completionBody(above: string, below = "", extra: Record<string, unknown> = {}) {
  return {
    prompt_version: 1,
    project_path: "",
    project_id: -1,
    current_file: {
      file_name: "src/adder.py",
      content_above_cursor: above,
      content_below_cursor: below,
    },
    ...extra,
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON, when it is. */
  readonly json: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, text, json };
}

/** The language server's client of one instance, with the developer's token. */
export function languageServer(instanceUrl: string, token: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    "user-agent": USER_AGENT,
    "x-gitlab-language-server-version": LANGUAGE_SERVER_VERSION,
    ...extra,
  });
  return {
    get: async (path: string) =>
      answer(await fetch(`${instanceUrl}/api/v4${path}`, { headers: headers() })),
    graphql: async (query: string, variables?: Record<string, unknown>) =>
      answer(
        await fetch(`${instanceUrl}/api/graphql`, {
          method: "POST",
          headers: headers({ "content-type": "application/json" }),
          body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
        }),
      ),
    /** As 7.9 sends it: `Content-Type: application/json` and no body at all. */
    directAccess: async () =>
      answer(
        await fetch(`${instanceUrl}/api/v4/code_suggestions/direct_access`, {
          method: "POST",
          headers: headers({ "content-type": "application/json" }),
        }),
      ),
    completion: async (body: unknown, extra: Record<string, string> = {}, signal?: AbortSignal) =>
      fetch(`${instanceUrl}/api/v4/code_suggestions/completions`, {
        method: "POST",
        headers: headers({ "content-type": "application/json", ...extra }),
        body: JSON.stringify(body),
        signal,
      }),
    answer,
  };
}

/** The direct path: the gateway's legacy route with the details direct_access gave. */
export async function directCompletion(
  details: { base_url: string; token: string; headers: Record<string, string> },
  body: unknown,
) {
  return answer(
    await fetch(`${details.base_url}/v2/completions`, {
      method: "POST",
      headers: {
        ...details.headers,
        authorization: `Bearer ${details.token}`,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "x-gitlab-language-server-version": LANGUAGE_SERVER_VERSION,
      },
      body: JSON.stringify(body),
    }),
  );
}
