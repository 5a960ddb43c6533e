import createError from "@fastify/error";

/**
 * Errors a route throws to refuse a request, each with a stable code and GitLab's status.
 * The error handler answers them with GitLab's body: `{"message": <message>}`.
 */
export const BadRequestError = createError("BROKER_BAD_REQUEST", "%s", 400);
export const ForbiddenError = createError("BROKER_FORBIDDEN", "403 Forbidden", 403);
export const NotFoundError = createError("BROKER_NOT_FOUND", "404 %s Not Found", 404);
export const ConflictError = createError("BROKER_CONFLICT", "%s", 409);
/** GitLab's answer when a user (or an instance) goes over a rate limit. */
export const TooManyRequestsError = createError(
  "BROKER_TOO_MANY_REQUESTS",
  "This endpoint has been requested too many times. Try again later.",
  429,
);

const GITLAB_ERROR_CODES = new Set([
  "BROKER_BAD_REQUEST",
  "BROKER_FORBIDDEN",
  "BROKER_NOT_FOUND",
  "BROKER_CONFLICT",
  "BROKER_TOO_MANY_REQUESTS",
]);

export function isGitlabError(error: { code?: string }): boolean {
  return error.code !== undefined && GITLAB_ERROR_CODES.has(error.code);
}

/** GitLab's error bodies: either `{message}` or OAuth's `{error, error_description}`. */
export type GitlabErrorBody =
  | { readonly message: string }
  | { readonly error: string; readonly error_description?: string; readonly scope?: string };

export const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  400: "400 Bad request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  413: "413 Request Entity Too Large",
  415: "415 Unsupported Media Type",
  429: "429 Too Many Requests",
  500: "500 Internal Server Error",
  502: "502 Bad Gateway",
  503: "503 Service Unavailable",
  504: "504 Gateway Timeout",
};

export function statusBody(statusCode: number): GitlabErrorBody {
  return { message: STATUS_MESSAGES[statusCode] ?? `${statusCode}` };
}
