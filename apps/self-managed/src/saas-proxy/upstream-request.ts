import { SELF_MANAGED_REALM, WORKHORSE_USER_AGENT_PREFIX } from "@token-broker/policy";

export const USER_AGENT = `${WORKHORSE_USER_AGENT_PREFIX} (code-suggestions-token-broker)`;

export interface UpstreamIdentity {
  /** The SaaS service account's token (the `ai_access_token` setting). */
  readonly aiAccessToken: string;
  readonly instanceId: string;
  readonly hostName: string;
  readonly requestId: string;
}

/**
 * The headers sent to SaaS, built from scratch: nothing of the client's request crosses.
 * Its Authorization, PRIVATE-TOKEN, cookies, body and any other header stay here.
 */
export function upstreamHeaders(identity: UpstreamIdentity): Record<string, string> {
  return {
    authorization: `Bearer ${identity.aiAccessToken}`,
    "content-type": "application/json",
    accept: "application/json",
    "user-agent": USER_AGENT,
    "x-gitlab-realm": SELF_MANAGED_REALM,
    "x-gitlab-instance-id": identity.instanceId,
    "x-gitlab-host-name": identity.hostName,
    "x-request-id": identity.requestId,
  };
}
