import type { InstanceConfig } from "@token-broker/config";
import type { Database } from "@token-broker/db";
import { createSecretBox, type SecretBox } from "@token-broker/secrets";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyInstance {
    config: InstanceConfig;
    database: Database;
    /** Encrypts and decrypts secrets at rest (ai_access_token, signing keys). */
    secretBox: SecretBox;
  }
}

export interface InstanceServicesOptions {
  readonly config: InstanceConfig;
  readonly database: Database;
  readonly keyBase: string;
  /** Aborted when the process starts draining at a stop signal (readiness then fails). */
  readonly draining?: AbortSignal;
}

/** The instance's configuration, database and secret box, shared by every plugin after it. */
export const instanceServices = fp<InstanceServicesOptions>(
  async (app, { config, database, keyBase }) => {
    app.decorate("config", config);
    app.decorate("database", database);
    app.decorate("secretBox", createSecretBox(keyBase));
  },
  { name: "instance-services" },
);
