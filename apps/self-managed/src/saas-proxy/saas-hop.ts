import type { Dispatcher } from "undici";
import type { SelfManagedConfig } from "../config.ts";
import { createSaasDispatcher } from "./saas-dispatcher.ts";

/** How this instance reaches SaaS: the token requests and the health check go the same way. */
export interface SaasHop {
  readonly saasUrl: string;
  /** SAAS_TIMEOUT_MS: for SaaS's response headers, and again for its body. */
  readonly timeoutMs: number;
  /** The connection pool to SaaS (proxy and CA applied); its owner closes it. */
  readonly dispatcher: Dispatcher;
  /** `http://host:port` of the proxy in use, never its credentials. */
  readonly proxyName?: string;
  /** This instance's host name (EXTERNAL_URL's), sent to SaaS as X-Gitlab-Host-Name. */
  readonly hostName: string;
}

export function saasHop(config: SelfManagedConfig): SaasHop {
  return {
    saasUrl: config.saasUrl,
    timeoutMs: config.saasTimeoutMs,
    dispatcher: createSaasDispatcher(config.saasNetwork, config.saasTimeoutMs),
    proxyName: config.saasNetwork.proxyName,
    hostName: new URL(config.externalUrl).hostname,
  };
}
