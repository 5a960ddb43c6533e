import { apiDocumentation, metrics, requestIdHeader, requestLog } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import type { AiGatewayConfig } from "./config.ts";
import { gatewayErrorHandler } from "./http/error-handler.ts";
import { healthRoutes } from "./routes/health.ts";

export interface AiGatewayOptions {
  readonly config: AiGatewayConfig;
  /** Aborted when the process starts draining at a stop signal (readiness then fails). */
  readonly draining?: AbortSignal;
}

/** The AI gateway as a plugin: the process entry point and the tests register the same app. */
export const aiGatewayApp: FastifyPluginAsync<AiGatewayOptions> = async (app, options) => {
  const { config } = options;
  await app.register(gatewayErrorHandler);
  await app.register(requestIdHeader);
  await app.register(requestLog);
  await app.register(apiDocumentation, {
    title: "AI gateway",
    externalUrl: config.externalUrl,
    gateway: {
      description:
        "GitLab's AI gateway for code completions: tokens from trusted issuers, answers from an OpenAI-compatible model server.",
    },
  });
  await app.register(metrics, { allowedIps: config.metricsAllowedIps });
  await app.register(healthRoutes, { draining: options.draining });
};
