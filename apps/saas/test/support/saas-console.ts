import { runConsole } from "@token-broker/console";
import { readSaasConfig } from "../../src/config.ts";
import { SIGNING_KEY_COMMANDS } from "../../src/console/signing-keys.ts";

export interface ConsoleResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The saas console as `pnpm console:saas` runs it, in this process, its output captured. */
export async function saasConsole(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<ConsoleResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runConsole({
    readConfig: readSaasConfig,
    commands: SIGNING_KEY_COMMANDS,
    argv: args,
    env,
    io: { out: (line) => out.push(line), err: (line) => err.push(line), readStdin: async () => "" },
    invocation: "pnpm console:saas",
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
