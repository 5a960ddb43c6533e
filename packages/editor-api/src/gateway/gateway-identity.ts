import { createHash } from "node:crypto";

export type Realm = "saas" | "self-managed";

/** Who a gateway request is for: the claims the gateway matches against its token's. */
export interface GatewayIdentity {
  readonly instanceId: string;
  readonly realm: Realm;
  readonly globalUserId: string;
  readonly hostName: string;
  readonly gitlabVersion: string;
}

/** GitLab's global user id: hex(sha256(instance_uuid + user_id)). */
export function globalUserId(instanceUuid: string, userId: number): string {
  return createHash("sha256").update(`${instanceUuid}${userId}`).digest("hex");
}

/**
 * The X-Gitlab-* headers of a request to the gateway, as GitLab names them: the same six go
 * to the gateway from here and, in direct access, to the editor that sends them itself.
 */
export function identityHeaders(identity: GatewayIdentity): Record<string, string> {
  return {
    "X-Gitlab-Instance-Id": identity.instanceId,
    "X-Gitlab-Realm": identity.realm,
    "X-Gitlab-Global-User-Id": identity.globalUserId,
    "X-Gitlab-Host-Name": identity.hostName,
    "X-Gitlab-Version": identity.gitlabVersion,
    "X-Gitlab-Authentication-Type": "oidc",
  };
}
