/** The saas console: `pnpm console:saas <command>` (see `--help`). */
import { processIo, runConsole } from "@token-broker/console";
import { readSaasConfig } from "./config.ts";
import { SIGNING_KEY_COMMANDS } from "./console/signing-keys.ts";

process.exitCode = await runConsole({
  readConfig: readSaasConfig,
  commands: SIGNING_KEY_COMMANDS,
  argv: process.argv.slice(2),
  env: process.env,
  io: processIo(),
  invocation: "pnpm console:saas",
});
