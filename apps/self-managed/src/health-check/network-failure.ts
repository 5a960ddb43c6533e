import { isTimeout } from "../saas-proxy/upstream-errors.ts";

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export interface Route {
  readonly saasUrl: string;
  readonly timeoutMs: number;
  /** `http://host:port` of the proxy in use, never its credentials. */
  readonly proxyName?: string;
}

function codeOf(error: unknown): string | undefined {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return cause?.code ?? code;
}

/**
 * What a failure to reach SaaS means for an administrator, from the error's code only:
 * undici's messages can name addresses, and nothing here repeats a credential.
 */
export function networkFailure(error: unknown, route: Route): string {
  const { saasUrl, timeoutMs, proxyName } = route;
  const via = proxyName ? ` through the proxy ${proxyName}` : "";
  const code = codeOf(error);
  const proxyStatus = /Proxy response \((\d+)\)/.exec(String((error as Error)?.message))?.[1];
  if (proxyStatus !== undefined) {
    return `the proxy ${proxyName} refused to connect to SaaS (${proxyStatus}): check the credentials in HTTPS_PROXY/HTTP_PROXY and that the proxy allows ${new URL(saasUrl).host}`;
  }
  if (isTimeout(error)) {
    return `SaaS at ${saasUrl} did not answer within SAAS_TIMEOUT_MS (${timeoutMs} ms)${via}: check the network path and the proxy`;
  }
  if (code !== undefined && TLS_CODES.has(code)) {
    return `the TLS certificate of SaaS at ${saasUrl} does not verify (${code}): if a proxy inspects TLS, put its CA certificate in the PEM file named by SAAS_CA_FILE`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `the host name of ${proxyName ? "the proxy or of " : ""}SaaS (${saasUrl}) does not resolve (${code}): check SAAS_URL, HTTPS_PROXY/HTTP_PROXY and DNS`;
  }
  if (code === "ECONNREFUSED") {
    return proxyName
      ? `the proxy ${proxyName} refused the connection (ECONNREFUSED): check HTTPS_PROXY/HTTP_PROXY and that the proxy runs`
      : `SaaS at ${saasUrl} refused the connection (ECONNREFUSED): check SAAS_URL, or set HTTPS_PROXY if the network needs a proxy`;
  }
  return `SaaS at ${saasUrl} could not be reached${via} (${code ?? "connection failed"}): check SAAS_URL, HTTPS_PROXY/HTTP_PROXY/NO_PROXY and the firewall`;
}
