import { Type } from "typebox";

export const ApplicationSettingsEntity = Type.Object({
  instance_level_code_suggestions_enabled: Type.Boolean(),
  ai_access_token_set: Type.Boolean({ description: "ai_access_token is write-only" }),
});
