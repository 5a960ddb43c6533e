import type { ApplicationSettings } from "@token-broker/admin";
import type { EditorConfig } from "@token-broker/instance";
import type { FastifyRequest } from "fastify";
import type { Availability } from "./access.ts";
import { type GatewayIdentity, globalUserId, type Realm } from "./gateway/gateway-identity.ts";
import { gatewayBaseUrl } from "./gateway/gateway-target.ts";
import type { GatewayTokenSource } from "./gateway/gateway-token.ts";

/** What the editor routes share: built once by the plugin, read by each route. */
export interface EditorContext {
  readonly config: EditorConfig;
  readonly realm: Realm;
  readonly gatewayToken: GatewayTokenSource;
  readonly availability: (request: FastifyRequest) => Promise<Availability>;
  /** This instance's host name (EXTERNAL_URL's), sent as X-Gitlab-Host-Name. */
  readonly hostName: string;
  /** Marks a reply as the gateway's own answer: it carries no X-GitLab-Error-Origin. */
  readonly relayed: WeakSet<FastifyRequest>;
}

export function identityOf(
  context: EditorContext,
  request: FastifyRequest,
  settings: ApplicationSettings,
): GatewayIdentity {
  return {
    instanceId: settings.instanceUuid,
    realm: context.realm,
    globalUserId: globalUserId(settings.instanceUuid, request.principal.user.id),
    hostName: context.hostName,
    gitlabVersion: context.config.gitlabVersion,
  };
}

export function gatewayUrlOf(context: EditorContext, settings: ApplicationSettings): string {
  return gatewayBaseUrl(settings, context.config.aiGatewayUrl);
}
