import {
  type Authenticate,
  type AuthFailureReason,
  createAuthenticator,
  createPrismaTokenStore,
  createTokenUsageRecorder,
  extractCredential,
  isWellFormedToken,
  type Principal,
  type Scope,
  type TokenDigester,
} from "@token-broker/auth";
import type { Database } from "@token-broker/db";
import type { preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { createCachedTokenStore } from "../cache/cached-token-store.ts";
import { authFailureRefusal, sendRefusal } from "../http/refusals.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** A preHandler that lets through only requests authenticated with one of `scopes`. */
    requireToken(scopes: readonly Scope[]): preHandlerAsyncHookHandler;
    digestToken: TokenDigester;
  }
  interface FastifyRequest {
    /** Set by `requireToken` on the requests it lets through. */
    principal: Principal;
    /** Why `requireToken` refused the request (the token metrics count it). */
    authFailure: AuthFailureReason | undefined;
  }
}

export interface AuthenticationOptions {
  readonly database: Database;
  readonly digestToken: TokenDigester;
}

export const authentication = fp<AuthenticationOptions>(
  async (app, { database, digestToken }) => {
    const usage = createTokenUsageRecorder({
      prisma: database.prisma,
      onError: (error) => app.log.warn({ err: error }, "could not record a token's last use"),
    });
    const tokens = createCachedTokenStore(
      createPrismaTokenStore(database.prisma),
      app.changeFeed,
      app.metrics.cacheLookups("tokens"),
    );
    const authenticator = (fresh: boolean): Authenticate =>
      createAuthenticator({
        tokens: tokens(fresh),
        digest: digestToken,
        onAuthenticated: (token, now) => usage.record(token, now),
      });
    const cached = authenticator(true);
    const uncached = authenticator(false);

    app.decorate("digestToken", digestToken);
    app.decorateRequest("principal", null as unknown as Principal);
    app.decorateRequest("authFailure", undefined);
    app.decorate("requireToken", (scopes: readonly Scope[]): preHandlerAsyncHookHandler => {
      return async function requireToken(request, reply) {
        const credential = extractCredential(request);
        // Only a well-formed token needs the caches (and the freshness round trip).
        const fresh =
          credential !== undefined &&
          isWellFormedToken(credential.token) &&
          (await app.cachesFresh(request));
        const result = await (fresh ? cached : uncached)(credential, scopes);
        if (!result.ok) {
          request.log.info({ authFailure: result.reason }, "authentication refused");
          request.authFailure = result.reason;
          return sendRefusal(reply, authFailureRefusal(result));
        }
        request.principal = result.principal;
      };
    });
    app.addHook("onClose", () => usage.flush());
  },
  { name: "authentication", dependencies: ["instance-state", "metrics"] },
);
