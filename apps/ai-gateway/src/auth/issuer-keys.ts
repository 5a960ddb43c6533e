import { createOutboundDispatcher, type OutboundNetwork } from "@token-broker/instance";
import {
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from "jose";
import { fetch as undiciFetch } from "undici";

/** GitLab's gateway waits 10 s for an issuer's discovery document and keys. */
const FETCH_TIMEOUT_MS = 10_000;
/** GitLab's gateway caches an issuer's keys for a day. */
const KEYS_CACHE_MS = 24 * 60 * 60 * 1000;
/** A token whose `kid` is not cached refetches its issuer's keys at most this often. */
export const DEFAULT_REFETCH_INTERVAL_MS = 60_000;
/** A discovery document or key set larger than this is no answer: it is not read further. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

export interface IssuerKeysOptions {
  readonly issuers: readonly string[];
  readonly networks: ReadonlyMap<string, OutboundNetwork>;
  readonly refetchIntervalMs?: number;
}

/** A JSON document from an issuer, bounded in size; throws when it is not one. */
async function fetchJson(
  url: string,
  init: { dispatcher: ReturnType<typeof createOutboundDispatcher>; signal?: AbortSignal },
): Promise<unknown> {
  const response = await undiciFetch(url, {
    dispatcher: init.dispatcher,
    signal: init.signal ?? AbortSignal.timeout(FETCH_TIMEOUT_MS),
    redirect: "error",
    headers: { accept: "application/json" },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${url} answered ${response.status}`);
  }
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_DOCUMENT_BYTES) {
    await response.body?.cancel();
    throw new Error(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url} answered too much`);
  return JSON.parse(text);
}

function jwksUriOf(document: unknown, issuer: string): string {
  const uri = (document as { jwks_uri?: unknown } | null)?.jwks_uri;
  if (typeof uri !== "string") throw new Error(`${issuer}'s discovery document has no jwks_uri`);
  const url = new URL(uri);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`${issuer}'s jwks_uri is not an http(s) URL`);
  }
  return url.href;
}

/**
 * One issuer's keys, as jose's remote key set keeps them: fetched through the issuer's
 * discovery document, cached a day, refetched when a token names a `kid` the cache lacks
 * (at most once per interval). A set without keys is refused before jose sees it, so that
 * it is never cached: the next token asks again. Neither a failed discovery is kept.
 */
function issuerKeySet(
  issuer: string,
  network: OutboundNetwork | undefined,
  refetchIntervalMs: number,
): JWTVerifyGetKey {
  const dispatcher = createOutboundDispatcher(
    network ?? { noProxy: "", extraCertificates: [] },
    FETCH_TIMEOUT_MS,
  );
  const nonEmptyKeySet: FetchImplementation = async (url, options) => {
    const document = await fetchJson(url, { dispatcher, signal: options.signal });
    const keys = (document as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new Error(`${issuer} published no keys`);
    }
    return new Response(JSON.stringify(document), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };

  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const document = await fetchJson(`${issuer}/.well-known/openid-configuration`, { dispatcher });
    return createRemoteJWKSet(new URL(jwksUriOf(document, issuer)), {
      timeoutDuration: FETCH_TIMEOUT_MS,
      cacheMaxAge: KEYS_CACHE_MS,
      cooldownDuration: refetchIntervalMs,
      [customFetch]: nonEmptyKeySet,
    });
  };
  return async (protectedHeader, token) => {
    keySet ??= discover().catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    return (await keySet)(protectedHeader, token);
  };
}

/** The key sets of the trusted issuers, by issuer URL (`iss`); undefined for any other. */
export function createIssuerKeys({
  issuers,
  networks,
  refetchIntervalMs = DEFAULT_REFETCH_INTERVAL_MS,
}: IssuerKeysOptions): (issuer: string) => JWTVerifyGetKey | undefined {
  const sets = new Map(
    issuers.map((issuer) => [
      issuer,
      issuerKeySet(issuer, networks.get(issuer), refetchIntervalMs),
    ]),
  );
  return (issuer) => sets.get(issuer);
}
