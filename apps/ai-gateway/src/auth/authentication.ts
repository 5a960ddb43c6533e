import { BrokerError } from "@token-broker/errors";
import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { GATEWAY_ISSUER, type TokenVerifier, type VerifiedToken } from "./token-verifier.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The request's verified token; set before any route handler runs. */
    gatewayToken: VerifiedToken | undefined;
  }
  interface FastifyContextConfig {
    /** `/v2/completions`: also the 16.1–16.2 tokens from `/code_suggestions/tokens`. */
    acceptsLegacyTokens?: boolean;
  }
}

/** GitLab's gateway lets these through unauthenticated (probes, metrics, the API document). */
const PUBLIC_ROUTES = new Set(["/monitoring/healthz", "/monitoring/ready", "/-/metrics"]);
const DOCUMENTATION = "/-/docs";

/** A claim and the header it must equal (GitLab's gateway, `Header mismatch '<header>'`). */
const MATCHED_HEADERS = [
  ["gitlab_realm", "X-Gitlab-Realm"],
  ["gitlab_instance_id", "X-Gitlab-Instance-Id"],
] as const;

function refuse(message: string): BrokerError {
  return new BrokerError("gateway_unauthenticated", message);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}

/** The first header whose claim the token carries with another value, if any. */
function mismatchedHeader(request: FastifyRequest, token: VerifiedToken): string | undefined {
  for (const [claim, name] of MATCHED_HEADERS) {
    const value = token.claims[claim];
    if (value !== undefined && String(value) !== header(request, name)) return name;
  }
  // A user token's subject is the user; an issuer's is the instance.
  const subjectHeader =
    token.issuer === GATEWAY_ISSUER ? "X-Gitlab-Global-User-Id" : "X-Gitlab-Instance-Id";
  const subject = token.claims.sub;
  if (subject !== undefined && subject !== header(request, subjectHeader)) return subjectHeader;
  return undefined;
}

function isPublic(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && (PUBLIC_ROUTES.has(route) || route.startsWith(DOCUMENTATION));
}

/**
 * GitLab's AI gateway authentication, in its order and with its messages: a bearer token,
 * the OIDC authentication type, a token that verifies, claims that equal their headers. It
 * runs before the body is read (onRequest), on every route but the public ones, unknown
 * paths included (GitLab answers them 401 too).
 */
export const gatewayAuthentication = fp<{ verify: TokenVerifier }>(
  async (app, { verify }) => {
    app.decorateRequest("gatewayToken", undefined);
    app.addHook("onRequest", async (request) => {
      if (isPublic(request)) return;
      const authorization = request.headers.authorization;
      if (authorization === undefined || authorization === "") {
        throw refuse("No authorization header presented");
      }
      const [scheme, credentials, ...rest] = authorization.split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !credentials || rest.length > 0) {
        throw refuse("Invalid authorization header");
      }
      if (header(request, "X-Gitlab-Authentication-Type") !== "oidc") {
        throw refuse("Invalid authentication token type - only OIDC is supported");
      }
      const verification = await verify(credentials, {
        acceptLegacy: request.routeOptions.config.acceptsLegacyTokens === true,
      });
      if (!verification.ok) {
        const { reason, error } = verification;
        if (reason === "keys_unavailable") {
          request.log.warn(
            { reason, err: error },
            "token refused: the issuer's keys are unavailable",
          );
        } else {
          request.log.info({ reason }, "token refused");
        }
        throw refuse("Forbidden by auth provider");
      }
      const { token } = verification;
      if (token.kind !== "legacy") {
        const mismatch = mismatchedHeader(request, token);
        if (mismatch !== undefined) throw refuse(`Header mismatch '${mismatch}'`);
      }
      request.gatewayToken = token;
    });
  },
  { name: "ai-gateway-authentication" },
);

/** The route's scope check: GitLab's 403 with the route's own detail. */
export function requireScope(
  request: FastifyRequest,
  scope: string,
  detail: string,
): VerifiedToken {
  const token = request.gatewayToken;
  if (token === undefined) throw refuse("No authorization header presented");
  if (token.kind !== "legacy" && !token.scopes.includes(scope)) {
    throw new BrokerError("gateway_forbidden", detail);
  }
  return token;
}
