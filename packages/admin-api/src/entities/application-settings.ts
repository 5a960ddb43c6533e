import { Type } from "typebox";

export const ApplicationSettingsEntity = Type.Object({
  instance_level_code_suggestions_enabled: Type.Boolean(),
  ai_access_token_set: Type.Boolean({ description: "ai_access_token is write-only" }),
  ai_gateway_url: Type.String({
    description: "where completions go (unset: the AI_GATEWAY_URL variable's gateway)",
  }),
  disabled_direct_code_suggestions: Type.Boolean({
    description: "editors may not connect to the AI gateway directly",
  }),
});
