import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { ConfigurationError, type Environment, optional } from "@token-broker/config";

/** How the SaaS hop leaves the network (docs/operations.md, Egress proxy and CA). */
export interface SaasNetwork {
  /**
   * The forward proxy for SAAS_URL's scheme (HTTPS_PROXY for https, HTTP_PROXY for http),
   * credentials included: only the dispatcher sees it, logs use `proxyName`.
   */
  readonly proxy?: string;
  /** The proxy as logs and the health check show it: `http://host:port`, never credentials. */
  readonly proxyName?: string;
  /** NO_PROXY, normalized for undici's matcher (IPv6 addresses in brackets). */
  readonly noProxy: string;
  /** Extra CA certificates (PEM) trusted on top of the default roots. */
  readonly extraCertificates: readonly string[];
}

/** curl reads the lower-case spelling first; so do we. */
function either(env: Environment, name: string): { variable: string; value?: string } {
  const lower = name.toLowerCase();
  const value = optional(env, lower);
  if (value !== undefined) return { variable: lower, value };
  return { variable: name, value: optional(env, name) };
}

function proxyUrl(variable: string, raw: string): URL {
  // curl takes `host:port` as an http:// proxy.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  // The value may hold a password: the message never repeats it.
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ConfigurationError(variable, "must be a URL such as http://[user:pass@]host:port");
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new ConfigurationError(
      variable,
      "must name only the proxy: http://[user:pass@]host:port",
    );
  }
  return url;
}

/**
 * NO_PROXY as undici's EnvHttpProxyAgent matches it (names, `.domain` and `domain`
 * suffixes, `host:port`, `*`). curl writes IPv6 addresses bare (`::1`); undici compares
 * them with the brackets of a URL's host, and would read `::1` as host `:` port 1.
 */
function normalizedNoProxy(raw: string | undefined): string {
  if (raw === undefined) return "";
  return raw
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((entry) => (isIPv6(entry) ? `[${entry}]` : entry))
    .join(",");
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** SAAS_CA_FILE's certificates, read once at start; a start-up failure names the variable. */
function extraCertificates(env: Environment): string[] {
  const file = optional(env, "SAAS_CA_FILE");
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigurationError("SAAS_CA_FILE", `cannot be read (${file}: ${reason})`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new ConfigurationError("SAAS_CA_FILE", `holds no PEM certificate (${file})`);
  }
  for (const certificate of certificates) {
    try {
      new X509Certificate(certificate);
    } catch {
      throw new ConfigurationError("SAAS_CA_FILE", `holds an invalid certificate (${file})`);
    }
  }
  return certificates;
}

/** The proxy and CA variables, validated; `saasUrl` decides which proxy variable applies. */
export function readSaasNetwork(env: Environment, saasUrl: string): SaasNetwork {
  const https = new URL(saasUrl).protocol === "https:";
  const { variable, value } = either(env, https ? "HTTPS_PROXY" : "HTTP_PROXY");
  const noProxy = normalizedNoProxy(either(env, "NO_PROXY").value);
  const certificates = extraCertificates(env);
  if (value === undefined) return { noProxy, extraCertificates: certificates };
  const url = proxyUrl(variable, value);
  return {
    proxy: url.href,
    proxyName: `${url.protocol}//${url.host}`,
    noProxy,
    extraCertificates: certificates,
  };
}
