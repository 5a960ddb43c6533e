import type { RateLimitOptions } from "@fastify/rate-limit";
import { BrokerError } from "@token-broker/errors";
import {
  apiDocumentation,
  metrics,
  registerRateLimiter,
  requestIdHeader,
  requestLog,
} from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import { gatewayAuthentication } from "./auth/authentication.ts";
import { loadGatewayKey } from "./auth/gateway-key.ts";
import { createIssuerKeys } from "./auth/issuer-keys.ts";
import { completionRateLimitKey } from "./auth/rate-limit-key.ts";
import { createTokenVerifier } from "./auth/token-verifier.ts";
import { createUserTokenSigner } from "./auth/user-token-signer.ts";
import { rememberVerifiedTokens } from "./auth/verified-token-cache.ts";
import { createCompletionService } from "./completions/completion-service.ts";
import type { AiGatewayConfig } from "./config.ts";
import { gatewayErrorHandler } from "./http/error-handler.ts";
import { createModelClient } from "./model/model-client.ts";
import { createModelMetrics } from "./model/model-metrics.ts";
import { completionRoutes } from "./routes/completions.ts";
import { healthRoutes } from "./routes/health.ts";
import { userAccessTokenRoutes } from "./routes/user-access-token.ts";

export interface AiGatewayOptions {
  readonly config: AiGatewayConfig;
  /** Aborted when the process starts draining at a stop signal (readiness then fails). */
  readonly draining?: AbortSignal;
  /**
   * How often an unknown `kid` may refetch an issuer's keys (default a minute). Tests shorten
   * it to watch a rotation without waiting a minute; no variable sets it.
   */
  readonly keyRefetchIntervalMs?: number;
}

/** The AI gateway as a plugin: the process entry point and the tests register the same app. */
const gatewayPlugin: FastifyPluginAsync<AiGatewayOptions> = async (app, options) => {
  const { config } = options;
  await app.register(gatewayErrorHandler);
  await app.register(requestIdHeader);
  await app.register(requestLog);
  // Before any route, so that every route's schema is documented.
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

  const gatewayKey = await loadGatewayKey({
    configuredPem: config.signingKey,
    dataDir: config.dataDir,
    log: app.log,
  });
  const issuerKeys = createIssuerKeys({
    issuers: config.trustedIssuers,
    networks: config.issuerNetworks,
    ...(options.keyRefetchIntervalMs !== undefined
      ? { refetchIntervalMs: options.keyRefetchIntervalMs }
      : {}),
  });
  await app.register(gatewayAuthentication, {
    verify: rememberVerifiedTokens(createTokenVerifier({ issuerKeys, gatewayKey })),
  });
  await registerRateLimiter(app, {
    redis: config.redis,
    namespace: config.service,
    tooManyRequests: () => new BrokerError("gateway_too_many_requests"),
  });
  const rateLimit: RateLimitOptions = {
    max: config.rateLimitPerUser,
    keyGenerator: completionRateLimitKey,
    // A limit of 0 is no limit (and no RateLimit headers).
    allowList: () => config.rateLimitPerUser === 0,
  };

  const model = createModelClient(config.model, app.log, createModelMetrics(app.metrics.registry));
  app.addHook("onClose", () => model.close());
  if (config.model === undefined) {
    app.log.warn("no model server configured: completions answer 503 until MODEL_ENDPOINT is set");
  }

  await app.register(userAccessTokenRoutes, { sign: createUserTokenSigner(gatewayKey) });
  await app.register(completionRoutes, {
    completions: createCompletionService(config.model, model),
    rateLimit,
  });
  app.log.info(
    {
      kid: gatewayKey.kid,
      trustedIssuers: config.trustedIssuers,
      promptFormat: config.model?.promptFormat,
    },
    "AI gateway ready",
  );
};

export const aiGatewayApp = fp(gatewayPlugin, { name: "ai-gateway" });
