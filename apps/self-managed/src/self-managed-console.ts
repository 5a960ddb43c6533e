import type { Environment } from "@token-broker/config";
import { type ConsoleIo, runConsole } from "@token-broker/console";
import { readSelfManagedConfig } from "./config.ts";
import { HEALTH_CHECK } from "./health-check/console-command.ts";
import { INSTANCE_TOKEN_COMMANDS } from "./instance-token/console-command.ts";

/**
 * The self-managed console: the shared commands, `health-check` and `instance-token`.
 * Returns the exit code.
 */
export function runSelfManagedConsole(options: {
  argv: readonly string[];
  env: Environment;
  io: ConsoleIo;
}): Promise<number> {
  return runConsole({
    ...options,
    readConfig: readSelfManagedConfig,
    commands: [HEALTH_CHECK, ...INSTANCE_TOKEN_COMMANDS],
    invocation: "pnpm console:self-managed",
  });
}
