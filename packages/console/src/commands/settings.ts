import {
  type ApplicationSettingsView,
  readApplicationSettings,
  settingsView,
  updateApplicationSettings,
} from "@token-broker/admin";
import { bool, type Command, text } from "../command.ts";
import { type ConsoleIo, UsageError } from "../console-io.ts";

function printView(io: ConsoleIo, view: ApplicationSettingsView): void {
  io.out(
    `instance_level_code_suggestions_enabled: ${view.instance_level_code_suggestions_enabled}`,
  );
  io.out(`ai_access_token: ${view.ai_access_token_set ? "set" : "not set"}`);
  io.out(`ai_gateway_url: ${view.ai_gateway_url}`);
  io.out(`disabled_direct_code_suggestions: ${view.disabled_direct_code_suggestions}`);
}

export const SHOW_SETTINGS: Command = {
  name: "settings show",
  summary: "show the application settings (never the stored ai_access_token)",
  async run({ config, prisma, io }) {
    const settings = await readApplicationSettings(prisma);
    io.out(`instance_uuid: ${settings.instanceUuid}`);
    printView(io, settingsView(settings, { aiGatewayUrl: config.editor.aiGatewayUrl }));
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
      "ai-gateway-url": {
        type: "string",
        description: "the AI gateway's http(s) base URL (empty: the AI_GATEWAY_URL variable's)",
      },
      "disabled-direct-code-suggestions": {
        type: "string",
        description: "true or false: editors may not connect to the AI gateway directly",
      },
    },
    async run({ config, prisma, secretBox, io }, _args, values) {
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
      const aiGatewayUrl = text(values, "ai-gateway-url");
      const directDisabled = bool(
        "disabled-direct-code-suggestions",
        values["disabled-direct-code-suggestions"],
      );
      if (
        enabled === undefined &&
        aiAccessToken === undefined &&
        aiGatewayUrl === undefined &&
        directDisabled === undefined
      )
        throw new UsageError("nothing to change");
      const settings = await updateApplicationSettings(prisma, secretBox, {
        instanceLevelCodeSuggestionsEnabled: enabled,
        aiAccessToken,
        aiGatewayUrl,
        disabledDirectCodeSuggestions: directDisabled,
      });
      printView(io, settingsView(settings, { aiGatewayUrl: config.editor.aiGatewayUrl }));
    },
  },
];
