import { administrationApi } from "@token-broker/admin-api";
import { editorApi, selfManagedAccessRule } from "@token-broker/editor-api";
import { type AppOptions, instance } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import type { SelfManagedConfig } from "./config.ts";
import { instanceTokenSource } from "./editor/instance-token-source.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";
import { healthCheckRoutes } from "./routes/health-check.ts";
import { createSaasDispatcher } from "./saas-proxy/saas-dispatcher.ts";

/** The self-managed instance as a plugin: the process entry point and the tests register it. */
export const selfManagedApp: FastifyPluginAsync<AppOptions<SelfManagedConfig>> = async (
  app,
  options,
) => {
  const { config } = options;
  await app.register(instance, options);
  await app.register(administrationApi, { prefix: "/api/v4" });
  const dispatcher = createSaasDispatcher(config.saasNetwork, config.saasTimeoutMs);
  app.addHook("onClose", () => dispatcher.close());
  const { proxyName } = config.saasNetwork;
  app.log.info(
    { saasUrl: config.saasUrl, proxy: proxyName ?? null },
    proxyName ? `SaaS is reached through the proxy ${proxyName}` : "SaaS is reached directly",
  );
  const hop = {
    saasUrl: config.saasUrl,
    saasTimeoutMs: config.saasTimeoutMs,
    dispatcher,
    hostName: new URL(config.externalUrl).hostname,
  };
  await app.register(codeSuggestionsTokensRoutes, hop);
  await app.register(healthCheckRoutes, { ...hop, proxyName });
  await app.register(editorApi, {
    realm: "self-managed",
    gatewayToken: instanceTokenSource,
    access: selfManagedAccessRule,
  });
};
