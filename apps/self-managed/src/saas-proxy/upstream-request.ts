import type { IncomingHttpHeaders } from "node:http";
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
 * The headers sent to SaaS, built from scratch: nothing of the client's request crosses
 * except how its body is framed. Its Authorization, PRIVATE-TOKEN, cookies and any other
 * header stay here.
 */
export function upstreamHeaders(
  identity: UpstreamIdentity,
  prepared: IncomingHttpHeaders,
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {
    host: prepared.host,
    authorization: `Bearer ${identity.aiAccessToken}`,
    "content-type": "application/json",
    accept: "application/json",
    "user-agent": USER_AGENT,
    "x-gitlab-realm": SELF_MANAGED_REALM,
    "x-gitlab-instance-id": identity.instanceId,
    "x-gitlab-host-name": identity.hostName,
    "x-request-id": identity.requestId,
  };
  if (prepared["content-length"] !== undefined)
    headers["content-length"] = prepared["content-length"];
  if (prepared["transfer-encoding"] !== undefined)
    headers["transfer-encoding"] = prepared["transfer-encoding"];
  return headers;
}

const RELAYED_RESPONSE_HEADERS = [
  "content-type",
  "cache-control",
  "content-length",
  "retry-after",
] as const;
const RATE_LIMIT_HEADERS = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] as const;

/**
 * What is relayed of SaaS's response headers: its content type, caching and when to retry,
 * nothing else. SaaS's RateLimit headers describe the instance's quota: they replace this
 * instance's own (the user's) only when SaaS refused, to explain its Retry-After.
 */
export function relayedResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const names: readonly string[] =
    headers["retry-after"] === undefined
      ? RELAYED_RESPONSE_HEADERS
      : [...RELAYED_RESPONSE_HEADERS, ...RATE_LIMIT_HEADERS];
  const relayed: IncomingHttpHeaders = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) relayed[name] = value;
  }
  return relayed;
}
