import type { Command, ConsoleContext } from "@token-broker/console";
import type { SaasConfig } from "../config.ts";
import {
  activateKey,
  createKey,
  formatTime,
  KeyRotationRefusal,
  listKeys,
  retireKey,
} from "../signing/key-rotation.ts";

const FORCE = {
  force: { type: "boolean", description: "skip the waiting period (see the rotation procedure)" },
} as const;

/**
 * Runs a step of the rotation; a refusal is a message and exit code 1. With JWT_SIGNING_KEY
 * set the environment decides which key signs, so no step applies.
 */
function step(
  name: string,
  action: (context: ConsoleContext<SaasConfig>, kid: string, force: boolean) => Promise<void>,
): Command<SaasConfig>["run"] {
  return async (context, [kid = ""], values) => {
    if (context.config.jwtSigningKey !== undefined) {
      context.io.err(
        `${name}: the signing key is managed by the environment (JWT_SIGNING_KEY is set); ` +
          "unset JWT_SIGNING_KEY to manage stored keys",
      );
      return 1;
    }
    try {
      await action(context, kid, values.force === true);
      return 0;
    } catch (error) {
      if (!(error instanceof KeyRotationRefusal)) throw error;
      context.io.err(`${name}: ${error.message}`);
      return 1;
    }
  };
}

export const SIGNING_KEY_COMMANDS: readonly Command<SaasConfig>[] = [
  {
    name: "signing-keys list",
    summary: "list the published signing keys: kid, created, state (active signs), published since",
    run: step("signing-keys list", async ({ prisma, io }) => {
      const keys = await listKeys(prisma);
      if (keys.length === 0) {
        io.out("no signing key yet: SaaS creates one when it first starts");
        return;
      }
      const width = Math.max(...keys.map((key) => key.kid.length));
      io.out(`${"kid".padEnd(width)}  ${"created".padEnd(20)}  state      published since`);
      for (const key of keys) {
        io.out(
          `${key.kid.padEnd(width)}  ${formatTime(key.createdAt)}  ${key.state.padEnd(9)}  ${formatTime(key.publishedAt)}`,
        );
      }
    }),
  },
  {
    name: "signing-keys create",
    summary: "generate a key and publish it, not signing yet; prints its kid",
    run: step("signing-keys create", async ({ prisma, secretBox, io }) => {
      io.out(await createKey(prisma, secretBox));
    }),
  },
  {
    name: "signing-keys activate",
    summary: "make a published key the signing key (once published SIGNING_KEY_PUBLISH_LEAD)",
    arguments: ["kid"],
    options: FORCE,
    run: step("signing-keys activate", async ({ prisma, config, io }, kid, force) => {
      const outcome = await activateKey(prisma, kid, {
        force,
        leadSeconds: config.signingKeyPublishLeadSeconds,
      });
      io.out(outcome === "changed" ? `${kid} now signs` : `${kid} already signs`);
    }),
  },
  {
    name: "signing-keys retire",
    summary: "remove a key from the published key set (not the active key)",
    arguments: ["kid"],
    options: FORCE,
    run: step("signing-keys retire", async ({ prisma, config, io }, kid, force) => {
      const outcome = await retireKey(prisma, kid, {
        force,
        instanceTokenTtlSeconds: config.instanceTokenTtlSeconds,
      });
      io.out(outcome === "changed" ? `${kid} retired` : `${kid} was already retired`);
    }),
  },
];
