export const TOKENS_PATH = "/api/v4/code_suggestions/tokens";

/** POST /api/v4/code_suggestions/tokens with a bearer token, as an editor does. */
export async function requestToken(baseUrl: string, token?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const response = await fetch(`${baseUrl}${TOKENS_PATH}`, { method: "POST", ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body };
}

export const UNAUTHORIZED = { message: "401 Unauthorized" };
export const BLOCKED = { message: "403 Forbidden - Your account has been blocked." };
export const NOT_FOUND = { message: "404 Not Found" };
export const EXPIRED = { error: "invalid_token", error_description: "Token has expired." };
export const REVOKED = {
  error: "invalid_token",
  error_description: "Token was revoked. You have to re-authorize from the user.",
};
export const INSUFFICIENT_SCOPE = {
  error: "insufficient_scope",
  error_description: "The request requires higher privileges than provided by the access token.",
  scope: "api ai_features",
};
