import { administrationApi } from "@token-broker/admin-api";
import { editorApi } from "@token-broker/editor-api";
import { type AppOptions, instance, type ServiceDefinition } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import { readSaasConfig, type SaasConfig } from "./config.ts";
import { signingKeyMetric } from "./metrics/signing-key-metric.ts";
import { saasEditorAccessRule } from "./policy/editor-access.ts";
import { createSubjectCache } from "./policy/subject-cache.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";
import { instanceTokenRoutes } from "./routes/instance-token.ts";
import { oidcDiscoveryRoutes } from "./routes/oidc-discovery.ts";
import { createGatewayTokenSigner, type GatewayToken } from "./signing/cloud-connector-tokens.ts";
import { createGatewayTokenMetrics } from "./signing/gateway-token-metrics.ts";
import { type LiveKeyRing, startKeyRing } from "./signing/live-key-ring.ts";
import { createSelfIssuedTokens } from "./signing/self-issued-tokens.ts";
import { createJwtSigner, createTokenSigner } from "./signing/token-signer.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The signing keys as this replica has them, e.g. `keyRing.current().signing.kid`. */
    keyRing: LiveKeyRing;
    /**
     * A token for the AI gateway on behalf of SaaS's own users (realm `saas`, SaaS's
     * instance UUID as `sub` and `gitlab_instance_id`): what SaaS's completions send.
     */
    selfIssuedToken(): Promise<GatewayToken>;
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

  const signJwt = createJwtSigner({ keys: keyRing, issuer: config.externalUrl });
  const signGatewayToken = createGatewayTokenSigner(signJwt);
  const gatewayTokenMetrics = createGatewayTokenMetrics(app.metrics.registry);
  app.decorate(
    "selfIssuedToken",
    createSelfIssuedTokens({
      sign: signGatewayToken,
      keys: keyRing,
      // SaaS's own instance UUID, created with its settings row on first start as on
      // self-managed.
      instanceUuid: async () => (await app.applicationSettings()).instanceUuid,
      onIssued: () => gatewayTokenMetrics.count("self_issued", "issued"),
    }),
  );

  await app.register(oidcDiscoveryRoutes, { issuer: config.externalUrl, keys: keyRing });
  await app.register(codeSuggestionsTokensRoutes, { sign: createTokenSigner(signJwt) });
  await app.register(instanceTokenRoutes, {
    sign: signGatewayToken,
    lifetimeSeconds: config.instanceTokenTtlSeconds,
    metrics: gatewayTokenMetrics,
  });
  // SaaS's own users' editors: completions sent to the gateway with a self-issued token.
  await app.register(editorApi, {
    realm: "saas",
    gatewayToken: { current: async () => (await app.selfIssuedToken()).token },
    access: saasEditorAccessRule(
      createSubjectCache(app.database.prisma, app.changeFeed, app.metrics.cacheLookups("subjects")),
    ),
  });
};

export const saasService: ServiceDefinition<SaasConfig> = {
  readConfig: readSaasConfig,
  app: saasApp,
};
