/** One item of FastAPI's validation answer: what failed (`type`, `msg`) and where (`loc`). */
export interface ValidationIssue {
  readonly type: string;
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly ctx?: Readonly<Record<string, string | number>>;
}

/**
 * GitLab's error bodies: `{message}`, Grape's `{error}`, OAuth's `{error, error_description}`,
 * or its AI gateway's (FastAPI) `{detail}`.
 */
export type GitlabErrorBody =
  | { readonly message: string }
  | { readonly error: string; readonly error_description?: string; readonly scope?: string }
  | { readonly detail: string | readonly ValidationIssue[] };

interface CatalogueEntry {
  readonly status: number;
  /**
   * GitLab's body. `detail` is the error's message; only some bodies show it. `issues`: what
   * failed validation, for the bodies that list it.
   */
  readonly body: (detail: string, issues: readonly ValidationIssue[]) => GitlabErrorBody;
  readonly headers?: (detail: string) => Readonly<Record<string, string>>;
  /** How loudly a refusal is logged when it is not the default (info, or error for 5xx). */
  readonly logLevel?: "warn";
}

const STATUS_MESSAGES = {
  400: "400 Bad request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  404: "404 Not Found",
  408: "408 Request Timeout",
  413: "413 Request Entity Too Large",
  415: "415 Unsupported Media Type",
  431: "431 Request Header Fields Too Large",
  500: "500 Internal Server Error",
  502: "502 Bad Gateway",
  503: "503 Service Unavailable",
  504: "504 Gateway Timeout",
} as const;

/** GitLab's plain answer for a status: `{"message":"401 Unauthorized"}`. */
function plain(status: keyof typeof STATUS_MESSAGES): CatalogueEntry {
  return { status, body: () => ({ message: STATUS_MESSAGES[status] }) };
}

/** A body that is the error's own message (GitLab's model validation and conflicts). */
function ownMessage(status: number): CatalogueEntry {
  return { status, body: (detail) => ({ message: detail }) };
}

const OAUTH_REALM = 'Bearer realm="Protected by OAuth 2.0"';

function invalidToken(description: string): CatalogueEntry {
  return {
    status: 401,
    body: () => ({ error: "invalid_token", error_description: description }),
    headers: () => ({
      "www-authenticate": `${OAUTH_REALM}, error="invalid_token", error_description="${description}"`,
    }),
  };
}

const INSUFFICIENT_SCOPE =
  "The request requires higher privileges than provided by the access token.";

/**
 * Every way a request is refused or fails, defined once: a stable code (the `code` of every
 * log line), GitLab's status, body and headers. The HTTP error handler is the only reader.
 */
export const ERROR_CATALOGUE = {
  // Authentication, GitLab's API guard (docs/token-api.md, Authentication outcomes).
  token_missing: plain(401),
  token_malformed: plain(401),
  token_unknown: plain(401),
  token_expired: invalidToken("Token has expired."),
  token_revoked: invalidToken("Token was revoked. You have to re-authorize from the user."),
  user_blocked: {
    status: 403,
    body: () => ({ message: "403 Forbidden - Your account has been blocked." }),
  },
  /** `detail`: the scopes that would have been accepted, space-separated. */
  insufficient_scope: {
    status: 403,
    body: (scope) => ({
      error: "insufficient_scope",
      error_description: INSUFFICIENT_SCOPE,
      scope,
    }),
    headers: (scope) => ({
      "www-authenticate": `${OAUTH_REALM}, error="insufficient_scope", error_description="${INSUFFICIENT_SCOPE}", scope="${scope}"`,
    }),
  },
  /** An authenticated user without the rights (not an administrator, not a group owner). */
  forbidden: plain(403),

  // Policy denials, named as the policy's DenialReason (docs/token-api.md decision tables).
  // Their detail is for operators: GitLab's bodies say less.
  tokens_api_disabled: plain(404),
  user_code_suggestions_disabled: plain(401),
  group_code_suggestions_disabled: plain(401),
  instance_admin_flag_disabled: plain(401),
  instance_code_suggestions_disabled: plain(404),
  ai_access_token_missing: plain(404),
  proxy_loop: {
    status: 400,
    body: () => ({ message: "Proxying is only supported to a SaaS instance" }),
  },

  // Over the token endpoint's rate limit (docs/operations.md, Rate limits). Retry-After and
  // RateLimit-* are set by the limiter.
  too_many_requests: {
    status: 429,
    body: () => ({ message: "This endpoint has been requested too many times. Try again later." }),
  },

  // Administration (docs/instance-api.md): GitLab's message, e.g. "Email has already been taken".
  invalid: ownMessage(400),
  /** `detail`: what was not found, e.g. "User Not Found". */
  not_found: { status: 404, body: (what) => ({ message: `404 ${what}` }) },
  conflict: ownMessage(409),

  // Requests the framework refuses before a route runs.
  /** `detail`: Grape's phrasing of the first failed parameter, e.g. "name is missing". */
  validation_failed: { status: 400, body: (detail) => ({ error: detail }) },
  /** Parser and framework messages can quote the request body: the body says the status only. */
  bad_request: plain(400),
  route_not_found: { status: 404, body: () => ({ error: STATUS_MESSAGES[404] }) },
  payload_too_large: plain(413),
  unsupported_media_type: plain(415),
  /** The request (headers and body) did not arrive within the server's request timeout. */
  request_timeout: plain(408),
  header_too_large: plain(431),

  // Failures: never an internal message, address or stack in a body.
  internal_error: plain(500),
  upstream_unreachable: { ...plain(502), logLevel: "warn" },
  /** SaaS answered, but not with a token nor one of GitLab's refusals (docs/token-api.md). */
  upstream_invalid_answer: { ...plain(502), logLevel: "warn" },
  upstream_timeout: { ...plain(504), logLevel: "warn" },
  /**
   * Self-managed holds no valid instance token and could not get one from SaaS (unreachable,
   * or refused): nothing can be sent to the AI gateway. `detail` says why, for the log only.
   */
  instance_token_unavailable: { ...plain(503), logLevel: "warn" },
  /** The database is unreachable (docs/operations.md, Database outages): the client may retry in a second. */
  database_unavailable: {
    ...plain(503),
    headers: () => ({ "retry-after": "1" }),
    logLevel: "warn",
  },

  /**
   * Administration: removing or demoting a group's last owner (GitLab's group member policy
   * refuses it to everyone, administrators included), in GitLab's `forbidden!(reason)` shape.
   */
  group_needs_owner: {
    status: 403,
    body: () => ({ message: "403 Forbidden - A group must have at least one owner" }),
  },

  // The AI gateway (docs/ai-gateway.md): GitLab's gateway is a FastAPI service; its bodies
  // are `{"error"}` from its authentication middleware and FastAPI's `{"detail"}` elsewhere.
  /** `detail`: GitLab's message, e.g. "No authorization header presented". */
  gateway_unauthenticated: { status: 401, body: (detail) => ({ error: detail }) },
  /** `detail`: e.g. "Unauthorized to access code completions". */
  gateway_forbidden: { status: 403, body: (detail) => ({ detail }) },
  /** `detail`: e.g. "Missing X-Gitlab-Global-User-Id header". */
  gateway_bad_request: { status: 400, body: (detail) => ({ detail }) },
  gateway_validation_failed: { status: 422, body: (_detail, issues) => ({ detail: issues }) },
  gateway_not_found: { status: 404, body: () => ({ detail: "Not Found" }) },
  gateway_payload_too_large: { status: 413, body: () => ({ detail: "Request Entity Too Large" }) },
  gateway_too_many_requests: { status: 429, body: () => ({ detail: "Too Many Requests" }) },
  // Fixed bodies, as every 5xx: they name what to set, never an address or what the model
  // server said (it may quote the prompt).
  model_not_configured: {
    status: 503,
    body: () => ({ detail: "No model server configured: set MODEL_ENDPOINT and MODEL_NAME" }),
    logLevel: "warn",
  },
  model_unreachable: {
    status: 503,
    body: () => ({ detail: "The model server (MODEL_ENDPOINT) cannot be reached" }),
    logLevel: "warn",
  },
  model_timeout: {
    status: 504,
    body: () => ({ detail: "The model server did not answer within MODEL_TIMEOUT_MS" }),
    logLevel: "warn",
  },
  /** The model server answered, but not with a completion (or with an error of its own). */
  model_invalid_answer: {
    status: 502,
    body: () => ({ detail: "The model server's answer is not a completion" }),
    logLevel: "warn",
  },
  gateway_internal_error: { status: 500, body: () => ({ detail: "Internal Server Error" }) },

  // The editor API (docs/editors.md). Its gateway failures are the upstream_* codes above.
  /** The user may not use Code Suggestions here (instance settings, or SaaS's policy). */
  code_suggestions_not_allowed: plain(401),
  direct_connections_disabled: {
    status: 403,
    body: () => ({ message: "403 Forbidden - Direct connections are disabled" }),
  },
  /** No token the AI gateway accepts could be had for this instance. */
  gateway_token_unavailable: { ...plain(503), logLevel: "warn" },
  /** The AI gateway did not give a user token for direct access. */
  token_creation_failed: {
    status: 503,
    body: () => ({ message: "Token creation failed" }),
    logLevel: "warn",
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorResponse {
  readonly status: number;
  readonly body: GitlabErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  readonly logLevel: "info" | "warn" | "error";
}

/** What GitLab answers for `code`; `detail` (and `issues`) fill the bodies that name something. */
export function errorResponse(
  code: ErrorCode,
  detail: string,
  issues: readonly ValidationIssue[] = [],
): ErrorResponse {
  const entry: CatalogueEntry = ERROR_CATALOGUE[code];
  return {
    status: entry.status,
    body: entry.body(detail, issues),
    headers: entry.headers?.(detail) ?? {},
    logLevel: entry.logLevel ?? (entry.status >= 500 ? "error" : "info"),
  };
}
