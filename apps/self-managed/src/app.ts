import { administrationApi } from "@token-broker/admin-api";
import { editorApi, selfManagedAccessRule } from "@token-broker/editor-api";
import { type AppOptions, instance, type ServiceDefinition } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import { readSelfManagedConfig, type SelfManagedConfig } from "./config.ts";
import {
  createInstanceTokenMetrics,
  type InstanceTokenMetrics,
} from "./instance-token/instance-token-metrics.ts";
import { createInstanceTokenRefresher } from "./instance-token/instance-token-refresher.ts";
import { type InstanceTokens, startInstanceTokens } from "./instance-token/instance-tokens.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";
import { healthCheckRoutes } from "./routes/health-check.ts";
import { saasHop } from "./saas-proxy/saas-hop.ts";

declare module "fastify" {
  interface FastifyInstance {
    /**
     * The instance token for the AI gateway, shared by every replica:
     * `await app.instanceToken.current()` → `{token, expiresAt}` (never waits on SaaS while
     * a valid one is held; throws `instance_token_unavailable`, a 503, when none can be had).
     */
    instanceToken: InstanceTokens;
  }
}

/** The self-managed instance as a plugin: the process entry point and the tests register it. */
export const selfManagedApp: FastifyPluginAsync<AppOptions<SelfManagedConfig>> = async (
  app,
  options,
) => {
  const { config } = options;
  await app.register(instance, { ...options, title: "Self-managed instance" });
  await app.register(administrationApi, { prefix: "/api/v4" });
  const hop = saasHop(config);
  app.addHook("onClose", () => hop.dispatcher.close());
  const { proxyName } = hop;
  app.log.info(
    { saasUrl: config.saasUrl, proxy: proxyName ?? null },
    proxyName ? `SaaS is reached through the proxy ${proxyName}` : "SaaS is reached directly",
  );
  let instanceTokenMetrics: InstanceTokenMetrics | undefined;
  const instanceTokens = await startInstanceTokens({
    refresher: createInstanceTokenRefresher({
      prisma: app.database.prisma,
      secretBox: app.secretBox,
      digest: app.digestToken,
      saas: hop,
    }),
    feed: app.changeFeed,
    log: app.log,
    metrics: () => instanceTokenMetrics,
  });
  instanceTokenMetrics = createInstanceTokenMetrics(app.metrics.registry, instanceTokens.held);
  app.addHook("onClose", async () => instanceTokens.close());
  app.decorate("instanceToken", instanceTokens);

  await app.register(codeSuggestionsTokensRoutes, hop);
  await app.register(healthCheckRoutes, hop);
  await app.register(editorApi, {
    realm: "self-managed",
    // The held instance token: completions never wait on SaaS while it is valid.
    gatewayToken: { current: async () => (await instanceTokens.current()).token },
    access: selfManagedAccessRule,
  });
};

export const selfManagedService: ServiceDefinition<SelfManagedConfig> = {
  readConfig: readSelfManagedConfig,
  app: selfManagedApp,
};
