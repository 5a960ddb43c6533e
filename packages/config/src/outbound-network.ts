import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { ConfigurationError, type Environment, optional } from "./environment.ts";

/**
 * How an outbound hop (self-managed to SaaS, the AI gateway to its issuers and its model)
 * leaves the network: the same variables curl reads (docs/operations.md, Egress proxy and CA).
 */
export interface OutboundNetwork {
  /**
   * The forward proxy for the target's scheme (HTTPS_PROXY for https, HTTP_PROXY for http),
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

/** The CA file's certificates, read once at start; a start-up failure names the variable. */
function extraCertificates(env: Environment, variable: string): string[] {
  const file = optional(env, variable);
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigurationError(variable, `cannot be read (${file}: ${reason})`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new ConfigurationError(variable, `holds no PEM certificate (${file})`);
  }
  for (const certificate of certificates) {
    try {
      new X509Certificate(certificate);
    } catch {
      throw new ConfigurationError(variable, `holds an invalid certificate (${file})`);
    }
  }
  return certificates;
}

/**
 * The proxy and CA variables, validated: `targetUrl` decides which proxy variable applies,
 * `caFileVariable` names the file of extra CA certificates (SAAS_CA_FILE, MODEL_CA_FILE).
 */
export function readOutboundNetwork(
  env: Environment,
  targetUrl: string,
  caFileVariable: string,
): OutboundNetwork {
  const https = new URL(targetUrl).protocol === "https:";
  const { variable, value } = either(env, https ? "HTTPS_PROXY" : "HTTP_PROXY");
  const noProxy = normalizedNoProxy(either(env, "NO_PROXY").value);
  const certificates = extraCertificates(env, caFileVariable);
  if (value === undefined) return { noProxy, extraCertificates: certificates };
  const url = proxyUrl(variable, value);
  return {
    proxy: url.href,
    proxyName: `${url.protocol}//${url.host}`,
    noProxy,
    extraCertificates: certificates,
  };
}
