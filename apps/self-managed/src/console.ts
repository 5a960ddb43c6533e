/** The self-managed console: `pnpm console:self-managed <command>` (see `--help`). */
import { processIo } from "@token-broker/console";
import { runSelfManagedConsole } from "./self-managed-console.ts";

process.exitCode = await runSelfManagedConsole({
  argv: process.argv.slice(2),
  env: process.env,
  io: processIo(),
});
