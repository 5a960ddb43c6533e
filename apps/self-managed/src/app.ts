import { administrationApi } from "@token-broker/admin-api";
import { type AppOptions, instance, type ServiceDefinition } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import { readSelfManagedConfig, type SelfManagedConfig } from "./config.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";
import { healthCheckRoutes } from "./routes/health-check.ts";
import { saasHop } from "./saas-proxy/saas-hop.ts";

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
  await app.register(codeSuggestionsTokensRoutes, hop);
  await app.register(healthCheckRoutes, hop);
};

export const selfManagedService: ServiceDefinition<SelfManagedConfig> = {
  readConfig: readSelfManagedConfig,
  app: selfManagedApp,
};
