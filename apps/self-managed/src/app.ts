import { type AppOptions, instance } from "@token-broker/instance";
import type { FastifyPluginAsync } from "fastify";
import type { SelfManagedConfig } from "./config.ts";

/** The self-managed instance as a plugin: the process entry point and the tests register it. */
export const selfManagedApp: FastifyPluginAsync<AppOptions<SelfManagedConfig>> = async (
  app,
  options,
) => {
  await app.register(instance, options);
};
