import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { LiveKeyRing } from "../signing/live-key-ring.ts";

export interface OidcDiscoveryOptions {
  readonly issuer: string;
  readonly keys: LiveKeyRing;
}

/** The discovery document names where the keys are; it changes only with EXTERNAL_URL. */
const DISCOVERY_CACHE_CONTROL = "public, max-age=300";
/**
 * Verifiers cache the key set (GitLab's AI gateway for a day, whatever this says), so keys
 * are published a day before they sign and kept after they stop (see `signing-keys`). An
 * hour spares verifiers that honour it a fetch per token, and stays well within that lead.
 */
const KEYS_CACHE_CONTROL = "public, max-age=3600";

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
  { issuer, keys },
) => {
  const discovery = { issuer, jwks_uri: `${issuer}/oauth/discovery/keys` };

  app.get(
    "/.well-known/openid-configuration",
    {
      schema: {
        summary: "OpenID Connect discovery document",
        tags: ["keys"],
        response: { 200: Type.Object({ issuer: Type.String(), jwks_uri: Type.String() }) },
      },
    },
    async (_request, reply) =>
      reply.header("cache-control", DISCOVERY_CACHE_CONTROL).send(discovery),
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
    async (_request, reply) => {
      // The set as it stands after every key change committed before this request.
      const { published } = await keys.get();
      return reply.header("cache-control", KEYS_CACHE_CONTROL).send({ keys: [...published] });
    },
  );
};
