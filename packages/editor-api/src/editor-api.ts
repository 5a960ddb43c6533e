import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { type AccessRule, availabilityOf } from "./access.ts";
import { completionsRoutes } from "./completions/completions-routes.ts";
import { directAccessRoutes } from "./direct-access/direct-access-routes.ts";
import type { EditorContext } from "./editor-context.ts";
import type { Realm } from "./gateway/gateway-identity.ts";
import type { GatewayTokenSource } from "./gateway/gateway-token.ts";
import { graphqlRoutes } from "./graphql/graphql-routes.ts";

/** What differs between the services that serve editors. */
export interface EditorApiOptions {
  /** `self-managed`, or `saas` for SaaS's own users: the gateway matches it to the token's. */
  readonly realm: Realm;
  /** The instance token (self-managed) or a self-issued token (SaaS). */
  readonly gatewayToken: GatewayTokenSource;
  /** Who may use Code Suggestions here (the 401 rule). */
  readonly access: AccessRule;
}

/**
 * The API today's editors speak (the GitLab language server, docs/editors.md): GraphQL,
 * completions through the instance, direct access to the AI gateway. Registered after the
 * instance (authentication, rate limits, settings), at the root.
 */
export const editorApi: FastifyPluginAsync<EditorApiOptions> = async (app, options) => {
  const context: EditorContext = {
    config: app.config.editor,
    realm: options.realm,
    gatewayToken: options.gatewayToken,
    availability: availabilityOf(app, options.access),
    hostName: new URL(app.config.externalUrl).hostname,
    relayed: new WeakSet(),
  };

  // GitLab marks the answers it makes itself, so that an editor tells them from the
  // gateway's: every error of these routes but the gateway's own, relayed.
  app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (reply.statusCode >= 400 && !context.relayed.has(request)) {
      reply.header("x-gitlab-error-origin", "monolith");
    }
    return payload;
  });

  await app.register(graphqlRoutes, { context });
  await app.register(completionsRoutes, { context });
  await app.register(directAccessRoutes, { context });
};
