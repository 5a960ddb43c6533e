import {
  createAuthenticator,
  createPrismaTokenStore,
  createTokenUsageRecorder,
  extractCredential,
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
    // Only a well-formed token reaches the token store, so only it pays for the caches'
    // freshness round trip (see ChangeFeed.fresh).
    const authenticate = createAuthenticator({
      tokens: createCachedTokenStore(createPrismaTokenStore(database.prisma), app.changeFeed),
      digest: digestToken,
      onAuthenticated: (token, now) => usage.record(token, now),
    });

    app.decorate("digestToken", digestToken);
    app.decorateRequest("principal", null as unknown as Principal);
    app.decorate("requireToken", (scopes: readonly Scope[]): preHandlerAsyncHookHandler => {
      return async function requireToken(request, reply) {
        const result = await authenticate(extractCredential(request), scopes);
        if (!result.ok) {
          request.log.info({ authFailure: result.reason }, "authentication refused");
          return sendRefusal(reply, authFailureRefusal(result));
        }
        request.principal = result.principal;
      };
    });
    app.addHook("onClose", () => usage.flush());
  },
  { name: "authentication", dependencies: ["instance-state"] },
);
