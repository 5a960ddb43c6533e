import { rootCertificates } from "node:tls";
import type { OutboundNetwork } from "@token-broker/config";
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici";

/**
 * A connection pool to one upstream (SaaS, an issuer, a model server): through the
 * configured proxy unless NO_PROXY names the upstream (undici's own agents tunnel with
 * CONNECT), trusting the CA file's certificates on top of the default roots, for the
 * upstream and for a TLS proxy alike. Certificate verification stays on.
 */
export function createOutboundDispatcher(network: OutboundNetwork, timeoutMs: number): Dispatcher {
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
  // Both slots get the one proxy for the upstream's scheme: the configuration already chose it,
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
