/** Where a request's token came from (GitLab's API conventions). */
export type CredentialSource = "authorization" | "private-token-header" | "private-token-param";

export interface Credential {
  readonly token: string;
  readonly source: CredentialSource;
}

export interface CredentialCarrier {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query?: unknown;
}

const BEARER = /^bearer\s+(.+)$/i;

/**
 * Finds the token a request carries, in GitLab's order: `private_token` parameter,
 * `PRIVATE-TOKEN` header, then `Authorization: Bearer`. Other Authorization schemes carry
 * no personal access token and count as no credential.
 */
export function extractCredential(request: CredentialCarrier): Credential | undefined {
  const param = queryParam(request.query, "private_token");
  if (param) return { token: param, source: "private-token-param" };
  const header = single(request.headers["private-token"]);
  if (header) return { token: header.trim(), source: "private-token-header" };
  const bearer = BEARER.exec(single(request.headers.authorization) ?? "")?.[1]?.trim();
  if (bearer) return { token: bearer, source: "authorization" };
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function queryParam(query: unknown, name: string): string | undefined {
  if (typeof query !== "object" || query === null) return undefined;
  const value = (query as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
