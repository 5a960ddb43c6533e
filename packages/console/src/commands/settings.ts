import {
  readApplicationSettings,
  settingsView,
  updateApplicationSettings,
} from "@token-broker/admin";
import { bool, type Command, text } from "../command.ts";
import { UsageError } from "../console-io.ts";

export const SHOW_SETTINGS: Command = {
  name: "settings show",
  summary: "show the application settings (never the stored ai_access_token)",
  async run({ prisma, io }) {
    const settings = await readApplicationSettings(prisma);
    const view = settingsView(settings);
    io.out(`instance_uuid: ${settings.instanceUuid}`);
    io.out(
      `instance_level_code_suggestions_enabled: ${view.instance_level_code_suggestions_enabled}`,
    );
    io.out(`ai_access_token: ${view.ai_access_token_set ? "set" : "not set"}`);
  },
};

export const SETTINGS_COMMANDS: readonly Command[] = [
  SHOW_SETTINGS,
  {
    name: "settings set",
    summary: "change application settings",
    options: {
      "instance-level-code-suggestions": { type: "string", description: "true or false" },
      "ai-access-token-stdin": {
        type: "boolean",
        description:
          "read the SaaS service token from standard input (keeps it out of the process list)",
      },
      "ai-access-token": {
        type: "string",
        description: "the SaaS service token (prefer --ai-access-token-stdin)",
      },
      "remove-ai-access-token": {
        type: "boolean",
        description: "forget the stored SaaS service token",
      },
    },
    async run({ prisma, secretBox, io }, _args, values) {
      const fromStdin = values["ai-access-token-stdin"] === true ? await io.readStdin() : undefined;
      const aiAccessToken =
        values["remove-ai-access-token"] === true
          ? ""
          : (fromStdin ?? text(values, "ai-access-token"));
      if (fromStdin === "") throw new UsageError("standard input held no token");
      const enabled = bool(
        "instance-level-code-suggestions",
        values["instance-level-code-suggestions"],
      );
      if (enabled === undefined && aiAccessToken === undefined)
        throw new UsageError("nothing to change");
      const view = settingsView(
        await updateApplicationSettings(prisma, secretBox, {
          instanceLevelCodeSuggestionsEnabled: enabled,
          aiAccessToken,
        }),
      );
      io.out(
        `instance_level_code_suggestions_enabled: ${view.instance_level_code_suggestions_enabled}`,
      );
      io.out(`ai_access_token: ${view.ai_access_token_set ? "set" : "not set"}`);
    },
  },
];
