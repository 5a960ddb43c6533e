import { type AppOptions, instance } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import type { SaasConfig } from "./config.ts";

/** The SaaS instance as a plugin: the process entry point and the tests register the same app. */
export const saasApp: FastifyPluginAsync<AppOptions<SaasConfig>> = async (app, options) => {
  await app.register(instance, options);
};
