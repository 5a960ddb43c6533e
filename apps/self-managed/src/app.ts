import { administrationApi } from "@token-broker/admin-api";
import { type AppOptions, instance } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import type { SelfManagedConfig } from "./config.ts";
import { codeSuggestionsTokensRoutes } from "./routes/code-suggestions-tokens.ts";

/** The self-managed instance as a plugin: the process entry point and the tests register it. */
export const selfManagedApp: FastifyPluginAsync<AppOptions<SelfManagedConfig>> = async (
  app,
  options,
) => {
  const { config } = options;
  await app.register(instance, options);
  await app.register(administrationApi, { prefix: "/api/v4" });
  await app.register(codeSuggestionsTokensRoutes, {
    saasUrl: config.saasUrl,
    saasTimeoutMs: config.saasTimeoutMs,
    hostName: new URL(config.externalUrl).hostname,
  });
};
