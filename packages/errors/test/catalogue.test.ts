import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, type ErrorCode, errorResponse } from "../src/catalogue.ts";

const OAUTH_REALM = 'Bearer realm="Protected by OAuth 2.0"';

describe("the error catalogue", () => {
  it.each([
    {
      code: "token_expired",
      detail: "token_expired",
      status: 401,
      body: { error: "invalid_token", error_description: "Token has expired." },
      headers: {
        "www-authenticate": `${OAUTH_REALM}, error="invalid_token", error_description="Token has expired."`,
      },
    },
    {
      code: "insufficient_scope",
      detail: "api ai_features",
      status: 403,
      body: {
        error: "insufficient_scope",
        error_description:
          "The request requires higher privileges than provided by the access token.",
        scope: "api ai_features",
      },
      headers: {
        "www-authenticate": `${OAUTH_REALM}, error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="api ai_features"`,
      },
    },
    {
      code: "user_blocked",
      detail: "user_blocked",
      status: 403,
      body: { message: "403 Forbidden - Your account has been blocked." },
      headers: {},
    },
    {
      code: "not_found",
      detail: "Group Not Found",
      status: 404,
      body: { message: "404 Group Not Found" },
      headers: {},
    },
    {
      code: "validation_failed",
      detail: "name is missing",
      status: 400,
      body: { error: "name is missing" },
      headers: {},
    },
  ] as const)("answers $code as GitLab does", ({ code, detail, status, body, headers }) => {
    expect(errorResponse(code, detail)).toMatchObject({ status, body, headers });
  });

  it("never lets a detail into a 5xx body, and logs 5xx louder than refusals", () => {
    const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
    for (const code of codes) {
      const response = errorResponse(code, "connect ECONNREFUSED 10.0.0.1:443");
      if (response.status >= 500) {
        expect(JSON.stringify(response.body)).not.toContain("ECONNREFUSED");
        expect(response.logLevel).not.toBe("info");
      } else {
        expect(response.logLevel).toBe("info");
      }
    }
  });
});
