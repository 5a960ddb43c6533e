import { firstHeader, type RequestHeaders } from "@token-broker/policy";
/** Where a request's token came from (GitLab's API conventions). */
export type CredentialSource = "authorization" | "private-token-header" | "private-token-param";

export interface Credential {
  readonly token: string;
  readonly source: CredentialSource;
}

export interface CredentialCarrier {
  readonly headers: RequestHeaders;
  readonly query?: unknown;
}

const BEARER = /^bearer\s+(.+)$/i;

/** The headers a token may arrive in (Node lowercases header names). */
export const CREDENTIAL_HEADERS = ["authorization", "private-token"] as const;

/**
 * Whether a query parameter, by its decoded name, carries a token. The one rule for the
 * reader below and for the log redaction of URLs, so that every spelling the reader accepts
 * (`private%5Ftoken`, say) is also one the logs hide.
 */
export function isCredentialParam(decodedName: string): boolean {
  return decodedName === "private_token";
}

/**
 * Finds the token a request carries, in GitLab's order: `private_token` parameter,
 * `PRIVATE-TOKEN` header, then `Authorization: Bearer`. Other Authorization schemes carry
 * no personal access token and count as no credential.
 */
export function extractCredential(request: CredentialCarrier): Credential | undefined {
  const param = credentialParam(request.query);
  if (param) return { token: param, source: "private-token-param" };
  const header = firstHeader(request.headers["private-token"]);
  if (header) return { token: header.trim(), source: "private-token-header" };
  const bearer = BEARER.exec(firstHeader(request.headers.authorization) ?? "")?.[1]?.trim();
  if (bearer) return { token: bearer, source: "authorization" };
  return undefined;
}

/** The token parameter when it appears once; twice (an array) it is no credential. */
function credentialParam(query: unknown): string | undefined {
  if (typeof query !== "object" || query === null) return undefined;
  const entry = Object.entries(query).find(([name]) => isCredentialParam(name));
  return typeof entry?.[1] === "string" ? entry[1] : undefined;
}
