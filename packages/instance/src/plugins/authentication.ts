import {
  type AuthFailure,
  type AuthFailureReason,
  createAuthenticator,
  createPrismaTokenStore,
  createTokenUsageRecorder,
  extractCredential,
  type Principal,
  type Scope,
  type TokenDigester,
} from "@token-broker/auth";
import type { Database } from "@token-broker/db";
import { BrokerError, type ErrorCode } from "@token-broker/errors";
import type { FastifyRequest, onRequestAsyncHookHandler, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import { createCachedTokenStore } from "../cache/cached-token-store.ts";
import { GitlabError } from "../http/schemas.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * The token scopes a protected route accepts. Such a route authenticates when the
     * request arrives, before its body is read, parsed or validated.
     */
    scopes?: readonly Scope[];
    /** Administrators only: GitLab answers 403 to anyone else, before looking at parameters. */
    administratorsOnly?: boolean;
  }
  interface FastifyInstance {
    digestToken: TokenDigester;
  }
  interface FastifyRequest {
    /** Set on the requests a protected route lets through. */
    principal: Principal;
    /** Why authentication refused the request (the token metrics count it). */
    authFailure: AuthFailureReason | undefined;
  }
}

export interface AuthenticationOptions {
  readonly database: Database;
  readonly digestToken: TokenDigester;
}

const AUTH_FAILURE_CODES: Readonly<Record<AuthFailureReason, ErrorCode>> = {
  missing: "token_missing",
  malformed: "token_malformed",
  unknown: "token_unknown",
  expired: "token_expired",
  revoked: "token_revoked",
  user_blocked: "user_blocked",
  insufficient_scope: "insufficient_scope",
};

function authFailure(failure: AuthFailure): BrokerError {
  const code = AUTH_FAILURE_CODES[failure.reason];
  return failure.reason === "insufficient_scope"
    ? new BrokerError(code, failure.acceptedScopes.join(" "))
    : new BrokerError(code);
}

/**
 * What every protected route may answer besides its own statuses, for its documentation:
 * authentication reads the database, so each may answer 503 while it is unreachable.
 */
const AUTHENTICATION_RESPONSES = { 401: GitlabError, 403: GitlabError, 503: GitlabError };

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export const authentication = fp<AuthenticationOptions>(
  async (app, { database, digestToken }) => {
    const usage = createTokenUsageRecorder({
      prisma: database.prisma,
      onError: (error) => app.log.warn({ err: error }, "could not record a token's last use"),
    });
    // Only a well-formed token reaches the token store, so only it pays for the caches'
    // freshness round trip (see ChangeFeed.fresh).
    const authenticate = createAuthenticator({
      tokens: createCachedTokenStore(
        createPrismaTokenStore(database.prisma),
        app.changeFeed,
        app.metrics.cacheLookups("tokens"),
      ),
      digest: digestToken,
      onAuthenticated: (token, now) => usage.record(token, now),
    });

    const requirePrincipal = async (request: FastifyRequest, scopes: readonly Scope[]) => {
      const result = await authenticate(extractCredential(request), scopes);
      if (!result.ok) {
        request.authFailure = result.reason;
        throw authFailure(result);
      }
      request.principal = result.principal;
    };

    /** A route's `config.scopes` makes it protected: authentication first, and documented. */
    const protect = (route: RouteOptions) => {
      const { scopes, administratorsOnly } = route.config ?? {};
      if (scopes === undefined) return;
      const requireToken: onRequestAsyncHookHandler = async (request) => {
        await requirePrincipal(request, scopes);
        if (administratorsOnly && !request.principal.user.admin) throw new BrokerError("forbidden");
      };
      route.onRequest = [requireToken, ...asArray(route.onRequest)];
      route.schema = {
        ...route.schema,
        response: { ...AUTHENTICATION_RESPONSES, ...(route.schema?.response as object) },
      };
    };

    app.decorate("digestToken", digestToken);
    app.decorateRequest("principal", null as unknown as Principal);
    app.decorateRequest("authFailure", undefined);
    app.addHook("onRoute", protect);
    app.addHook("onClose", () => usage.flush());
  },
  { name: "authentication", dependencies: ["instance-state", "metrics"] },
);
