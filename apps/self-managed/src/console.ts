/** The self-managed console: `pnpm console:self-managed <command>` (see `--help`). */
import { processIo, runConsole } from "@token-broker/console";
import { readSelfManagedConfig } from "./config.ts";

process.exitCode = await runConsole({
  readConfig: readSelfManagedConfig,
  argv: process.argv.slice(2),
  env: process.env,
  io: processIo(),
  invocation: "pnpm console:self-managed",
});
