import { administrationApi } from "@token-broker/admin-api";
import { type AppOptions, instance } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import type { SaasConfig } from "./config.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";
import { oidcDiscoveryRoutes } from "./routes/oidc-discovery.ts";
import { loadKeyRing } from "./signing/stored-keys.ts";
import { createTokenSigner } from "./signing/token-signer.ts";

/** The SaaS instance as a plugin: the process entry point and the tests register the same app. */
export const saasApp: FastifyPluginAsync<AppOptions<SaasConfig>> = async (app, options) => {
  const { config } = options;
  await app.register(instance, options);
  await app.register(administrationApi, { prefix: "/api/v4" });

  // Keys are read, decrypted and imported once, here; the request path only signs.
  const keyRing = await loadKeyRing({
    prisma: app.database.prisma,
    secretBox: app.secretBox,
    configuredPem: config.jwtSigningKey,
  });
  app.log.info(
    { kid: keyRing.signing.kid, published: keyRing.published.length },
    "signing keys loaded",
  );
  app.metrics.signingKey(keyRing.signing.kid);

  await app.register(oidcDiscoveryRoutes, {
    issuer: config.externalUrl,
    published: keyRing.published,
  });
  await app.register(codeSuggestionsTokensRoutes, {
    sign: createTokenSigner({ key: keyRing.signing, issuer: config.externalUrl }),
  });
};
