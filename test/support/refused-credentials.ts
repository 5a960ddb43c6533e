import type { Fixtures } from "@token-broker/testing";
import { BLOCKED, EXPIRED, INSUFFICIENT_SCOPE, REVOKED, UNAUTHORIZED } from "./token-request.ts";

/**
 * Every credential the tokens endpoint must refuse, with GitLab's answer: the one security
 * table both services are tested against. `fixtures` is read when a case runs.
 */
export function refusedCredentials(fixtures: () => Fixtures) {
  const tokenOf = async (...options: Parameters<Fixtures["userWithToken"]>) =>
    (await fixtures().userWithToken(...options)).token;
  return [
    { why: "no credentials", credential: async () => undefined, status: 401, body: UNAUTHORIZED },
    {
      why: "unknown token",
      credential: async () => "glpat-unknownunknown0000",
      status: 401,
      body: UNAUTHORIZED,
    },
    {
      why: "malformed token",
      credential: async () => "glpat-short",
      status: 401,
      body: UNAUTHORIZED,
    },
    {
      why: "blocked user",
      credential: () => tokenOf({ blocked: true }),
      status: 403,
      body: BLOCKED,
    },
    {
      why: "expired token",
      credential: () => tokenOf({}, { expired: true }),
      status: 401,
      body: EXPIRED,
    },
    {
      why: "revoked token",
      credential: () => tokenOf({}, { revoked: true }),
      status: 401,
      body: REVOKED,
    },
    {
      why: "read_api only",
      credential: () => tokenOf({}, { scopes: ["read_api"] }),
      status: 403,
      body: INSUFFICIENT_SCOPE,
    },
    {
      why: "read_user only",
      credential: () => tokenOf({}, { scopes: ["read_user"] }),
      status: 403,
      body: INSUFFICIENT_SCOPE,
    },
  ];
}
