import { readApplicationSettings } from "@token-broker/admin";
import type { Command, ConsoleContext } from "@token-broker/console";
import type { SelfManagedConfig } from "../config.ts";
import { saasHop } from "../saas-proxy/saas-hop.ts";
import {
  createInstanceTokenRefresher,
  type InstanceTokenRefresher,
} from "./instance-token-refresher.ts";
import { isValid, refreshDueAt } from "./instance-token-store.ts";

const iso = (time: Date) => time.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A refresher on a connection pool of its own, closed when the command is done. */
async function withRefresher<T>(
  context: ConsoleContext<SelfManagedConfig>,
  use: (refresher: InstanceTokenRefresher) => Promise<T>,
): Promise<T> {
  const { config, prisma, secretBox, digest } = context;
  const hop = saasHop(config);
  try {
    return await use(createInstanceTokenRefresher({ prisma, secretBox, digest, saas: hop }));
  } finally {
    await hop.dispatcher.close();
  }
}

/** `instance-token status`: what every replica uses now; exit code 1 when none is valid. */
const STATUS: Command<SelfManagedConfig> = {
  name: "instance-token status",
  summary: "show the instance token the replicas send to the AI gateway (never the token itself)",
  async run(context) {
    const { prisma, secretBox, digest, io } = context;
    return withRefresher(context, async (refresher) => {
      const { held, lastFailure } = await refresher.read();
      const settings = await readApplicationSettings(prisma);
      const serviceTokenDigest =
        settings.encryptedAiAccessToken === null
          ? undefined
          : digest(secretBox.decrypt(settings.encryptedAiAccessToken));
      const valid = isValid(held, Date.now());
      if (held === undefined) {
        io.out("held: no (one is fetched from SaaS when a completion first needs it)");
      } else {
        io.out(`held: ${valid ? "yes" : "no, expired"}`);
        io.out(`fetched_at: ${iso(held.issuedAt)}`);
        io.out(`expires_at: ${iso(held.expiresAt)}`);
        io.out(`refresh_due_at: ${iso(refreshDueAt(held))}`);
        io.out(
          `fetched_with_current_ai_access_token: ${held.serviceTokenDigest === serviceTokenDigest ? "yes" : "no"}`,
        );
      }
      if (lastFailure !== undefined) {
        io.out(`last_refresh_failure: ${lastFailure.reason} at ${iso(lastFailure.at)}`);
      }
      return valid ? 0 : 1;
    });
  },
};

/** `instance-token refresh`: fetch a new one now (every replica uses it at once). */
const REFRESH: Command<SelfManagedConfig> = {
  name: "instance-token refresh",
  summary: "fetch a new instance token from SaaS now; every replica uses it at once",
  async run(context) {
    const { io } = context;
    return withRefresher(context, async (refresher) => {
      const result = await refresher.refresh({ force: true });
      switch (result.outcome) {
        case "issued":
          io.out(`instance token refreshed; it expires at ${iso(result.held.expiresAt)}`);
          return 0;
        case "not_claimed":
          io.err(
            "instance-token refresh: a replica is refreshing the instance token right now; check again with instance-token status",
          );
          return 1;
        default:
          io.err(`instance-token refresh: ${result.message}`);
          return 1;
      }
    });
  },
};

export const INSTANCE_TOKEN_COMMANDS: readonly Command<SelfManagedConfig>[] = [STATUS, REFRESH];
