import { rootCertificates } from "node:tls";
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici";
import type { SaasNetwork } from "./network-config.ts";

/**
 * The one connection pool to SaaS, shared by the token hop and the health check: through
 * the configured proxy unless NO_PROXY names SaaS (undici's own agents tunnel with CONNECT),
 * trusting SAAS_CA_FILE's certificates on top of the default roots, for SaaS and for a
 * TLS proxy alike. Certificate verification stays on.
 */
export function createSaasDispatcher(network: SaasNetwork, timeoutMs: number): Dispatcher {
  const tls = {
    rejectUnauthorized: true,
    ...(network.extraCertificates.length > 0
      ? { ca: [...rootCertificates, ...network.extraCertificates] }
      : {}),
  };
  const options = {
    connect: { ...tls, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  };
  if (network.proxy === undefined) return new Agent(options);
  // Both slots get the one proxy for SAAS_URL's scheme: the configuration already chose it,
  // and undici would otherwise fall back to HTTP_PROXY for an https target.
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy: network.proxy,
    httpsProxy: network.proxy,
    noProxy: network.noProxy,
    requestTls: tls,
    proxyTls: { ...tls, timeout: timeoutMs },
  });
}
