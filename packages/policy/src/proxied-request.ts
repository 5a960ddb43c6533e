import { firstHeader, type RequestHeaders } from "./request-headers.ts";

/** GitLab Workhorse's User-Agent prefix; our proxy sends it too. */
export const WORKHORSE_USER_AGENT_PREFIX = "gitlab-workhorse";
export const SELF_MANAGED_REALM = "self-managed";

export interface ProxyMarkers {
  readonly userAgent: string | undefined;
  readonly realm: string | undefined;
}

/** A request relayed by a self-managed instance carries either marker. */
export function isProxiedRequest({ userAgent, realm }: ProxyMarkers): boolean {
  return (
    (userAgent?.startsWith(WORKHORSE_USER_AGENT_PREFIX) ?? false) || realm === SELF_MANAGED_REALM
  );
}

/** The proxy markers of a request, as its headers carry them. */
export function proxyMarkers(headers: RequestHeaders): ProxyMarkers {
  return {
    userAgent: firstHeader(headers["user-agent"]),
    realm: firstHeader(headers["x-gitlab-realm"]),
  };
}
