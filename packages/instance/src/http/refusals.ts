import type { AuthFailure } from "@token-broker/auth";
import type { Denial, DenialReason } from "@token-broker/policy";
import type { FastifyReply } from "fastify";
import { type GitlabErrorBody, statusBody } from "./gitlab-errors.ts";

/** A refusal as GitLab answers it. The one HTTP mapping of auth and policy failures. */
export interface Refusal {
  readonly statusCode: number;
  readonly body: GitlabErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

const UNAUTHORIZED: Refusal = { statusCode: 401, body: statusBody(401) };

function invalidToken(description: string): Refusal {
  return {
    statusCode: 401,
    body: { error: "invalid_token", error_description: description },
    headers: {
      "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
    },
  };
}

const EXPIRED = invalidToken("Token has expired.");
const REVOKED = invalidToken("Token was revoked. You have to re-authorize from the user.");

export function authFailureRefusal(failure: AuthFailure): Refusal {
  switch (failure.reason) {
    case "missing":
    case "malformed":
    case "unknown":
    case "user_blocked":
      return UNAUTHORIZED;
    case "expired":
      return EXPIRED;
    case "revoked":
      return REVOKED;
    case "insufficient_scope": {
      const description =
        "The request requires higher privileges than provided by the access token.";
      const scope = failure.acceptedScopes.join(" ");
      return {
        statusCode: 403,
        body: { error: "insufficient_scope", error_description: description, scope },
        headers: {
          "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${description}", scope="${scope}"`,
        },
      };
    }
  }
}

const DENIALS: Readonly<Record<DenialReason, Refusal>> = {
  tokens_api_disabled: { statusCode: 404, body: statusBody(404) },
  user_code_suggestions_disabled: UNAUTHORIZED,
  group_code_suggestions_disabled: UNAUTHORIZED,
  instance_admin_flag_disabled: UNAUTHORIZED,
  instance_code_suggestions_disabled: { statusCode: 404, body: statusBody(404) },
  ai_access_token_missing: { statusCode: 404, body: statusBody(404) },
  proxy_loop: {
    statusCode: 400,
    body: { message: "Proxying is only supported to a SaaS instance" },
  },
};

export function denialRefusal(denial: Denial): Refusal {
  return DENIALS[denial.reason];
}

export function sendRefusal(reply: FastifyReply, refusal: Refusal): FastifyReply {
  return reply
    .code(refusal.statusCode)
    .headers(refusal.headers ?? {})
    .send(refusal.body);
}
