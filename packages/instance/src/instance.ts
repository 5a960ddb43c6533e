import { createTokenDigester } from "@token-broker/auth";
import { ensureInstanceRows } from "@token-broker/config";
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import { errorHandler } from "./http/error-handler.ts";
import { apiDocumentation } from "./plugins/api-documentation.ts";
import { authentication } from "./plugins/authentication.ts";
import { inputHygiene } from "./plugins/input-hygiene.ts";
import { type InstanceServicesOptions, instanceServices } from "./plugins/instance-services.ts";
import { instanceState } from "./plugins/instance-state.ts";
import { jsonContentType } from "./plugins/json-content-type.ts";
import { metrics } from "./plugins/metrics.ts";
import { tokenRateLimits } from "./plugins/rate-limit.ts";
import { requestIdHeader } from "./plugins/request-id.ts";
import { requestLog } from "./plugins/request-log.ts";
import { healthRoutes } from "./routes/health.ts";

export interface InstanceOptions extends InstanceServicesOptions {
  /** The service's name in its API documentation ("SaaS instance"). */
  readonly title: string;
}

/**
 * What every instance is made of, SaaS or self-managed: GitLab's error bodies, request ids,
 * metrics, token authentication and rate limits, the root bootstrap and the health endpoints. The administration API
 * (`@token-broker/admin-api`) and each service's own routes are registered by the apps.
 */
const instancePlugin: FastifyPluginAsync<InstanceOptions> = async (app, options) => {
  const { config, database, keyBase } = options;
  const digestToken = createTokenDigester(keyBase);

  await app.register(errorHandler);
  await app.register(jsonContentType);
  await app.register(inputHygiene);
  await app.register(requestIdHeader);
  await app.register(requestLog);
  // Before any route, so that every route's schema is documented.
  await app.register(apiDocumentation, {
    title: options.title,
    externalUrl: config.externalUrl,
  });
  await app.register(metrics, { allowedIps: config.operations.metricsAllowedIps });
  await app.register(instanceServices, options);
  await app.register(instanceState);
  await app.register(authentication, { database, digestToken });
  await app.register(tokenRateLimits, { service: config.service, operations: config.operations });

  await ensureInstanceRows(database.prisma, {
    digestToken,
    initialRootToken: config.initialRootToken,
  });

  await app.register(healthRoutes(database, options.draining));
};

export const instance = fp(instancePlugin, { name: "instance" });
