import { administrationApi } from "@token-broker/admin-api";
import { type AppOptions, instance, type ServiceDefinition } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import { readSaasConfig, type SaasConfig } from "./config.ts";
import { signingKeyMetric } from "./metrics/signing-key-metric.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";
import { oidcDiscoveryRoutes } from "./routes/oidc-discovery.ts";
import { type LiveKeyRing, startKeyRing } from "./signing/live-key-ring.ts";
import { createTokenSigner } from "./signing/token-signer.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The signing keys as this replica has them, e.g. `keyRing.current().signing.kid`. */
    keyRing: LiveKeyRing;
  }
}

/** The SaaS instance as a plugin: the process entry point and the tests register the same app. */
export const saasApp: FastifyPluginAsync<AppOptions<SaasConfig>> = async (app, options) => {
  const { config } = options;
  await app.register(instance, { ...options, title: "SaaS instance" });
  await app.register(administrationApi, { prefix: "/api/v4" });

  // Keys are read, decrypted and imported here and again when they change (the console
  // rotates them); the request path only signs.
  const keyRing = await startKeyRing({
    prisma: app.database.prisma,
    secretBox: app.secretBox,
    feed: app.changeFeed,
    log: app.log,
    exclusive: config.database.kind === "embedded",
    configuredPem: config.jwtSigningKey,
    onSigningKey: signingKeyMetric(app.metrics.registry),
  });
  const { signing, published } = keyRing.current();
  app.log.info(
    { kid: signing.kid, published: published.map((key) => key.kid) },
    "signing keys loaded",
  );
  app.decorate("keyRing", keyRing);

  await app.register(oidcDiscoveryRoutes, { issuer: config.externalUrl, keys: keyRing });
  await app.register(codeSuggestionsTokensRoutes, {
    sign: createTokenSigner({ keys: keyRing, issuer: config.externalUrl }),
  });
};

export const saasService: ServiceDefinition<SaasConfig> = {
  readConfig: readSaasConfig,
  app: saasApp,
};
