import type { Command } from "../command.ts";
import { FEATURE_COMMANDS } from "./features.ts";
import { GROUP_COMMANDS } from "./groups.ts";
import { SETTINGS_COMMANDS } from "./settings.ts";
import { STATUS } from "./status.ts";
import { TOKEN_COMMANDS } from "./tokens.ts";
import { USER_COMMANDS } from "./users.ts";

/** The commands every service's console has. */
export const SHARED_COMMANDS: readonly Command[] = [
  ...USER_COMMANDS,
  ...TOKEN_COMMANDS,
  ...FEATURE_COMMANDS,
  ...SETTINGS_COMMANDS,
  ...GROUP_COMMANDS,
  STATUS,
];
