import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { PublicJwk } from "../signing/key-ring.ts";

export interface OidcDiscoveryOptions {
  readonly issuer: string;
  readonly published: readonly PublicJwk[];
}

/**
 * Verifiers cache the keys; a new key must be published longer than this before it signs.
 * Five minutes keeps rotation quick without a fetch per verification.
 */
const CACHE_CONTROL = "public, max-age=300";

const Jwk = Type.Object({
  kid: Type.String(),
  kty: Type.String(),
  alg: Type.String(),
  use: Type.String(),
  n: Type.String(),
  e: Type.String(),
});

/** Where verifiers (the AI gateway) find the keys that sign code-suggestions tokens. */
export const oidcDiscoveryRoutes: FastifyPluginAsyncTypebox<OidcDiscoveryOptions> = async (
  app,
  { issuer, published },
) => {
  const discovery = { issuer, jwks_uri: `${issuer}/oauth/discovery/keys` };
  const jwks = { keys: [...published] };

  app.get(
    "/.well-known/openid-configuration",
    {
      schema: {
        summary: "OpenID Connect discovery document",
        tags: ["keys"],
        response: { 200: Type.Object({ issuer: Type.String(), jwks_uri: Type.String() }) },
      },
    },
    async (_request, reply) => reply.header("cache-control", CACHE_CONTROL).send(discovery),
  );

  app.get(
    "/oauth/discovery/keys",
    {
      schema: {
        summary: "The public keys (JWKS) that verify code-suggestions tokens",
        tags: ["keys"],
        // The schema also guarantees no private member (d, p, q…) is ever serialised.
        response: { 200: Type.Object({ keys: Type.Array(Jwk) }) },
      },
    },
    async (_request, reply) => reply.header("cache-control", CACHE_CONTROL).send(jwks),
  );
};
