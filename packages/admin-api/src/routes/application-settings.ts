import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  readApplicationSettings,
  settingsView,
  updateApplicationSettings,
} from "@token-broker/admin";
import { gitlabErrors } from "@token-broker/instance";
import { Type } from "typebox";
import { ADMINISTRATORS } from "../access.ts";
import { ApplicationSettingsEntity } from "../entities/application-settings.ts";

const tags = ["application_settings"];

export const applicationSettingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;
  const defaults = { aiGatewayUrl: app.config.editor.aiGatewayUrl };

  app.get(
    "/application/settings",
    {
      schema: {
        summary: "The instance's settings (administrators)",
        tags,
        response: { 200: ApplicationSettingsEntity, ...gitlabErrors(403) },
      },
      config: ADMINISTRATORS,
    },
    async () => settingsView(await readApplicationSettings(prisma), defaults),
  );

  app.put(
    "/application/settings",
    {
      schema: {
        summary: "Change the instance's settings (administrators)",
        tags,
        body: Type.Object({
          instance_level_code_suggestions_enabled: Type.Optional(Type.Boolean()),
          ai_access_token: Type.Optional(
            Type.String({
              description: "the SaaS service token; write-only, stored encrypted; empty removes it",
            }),
          ),
          ai_gateway_url: Type.Optional(
            Type.String({
              maxLength: 255,
              description:
                "the AI gateway's http(s) base URL; empty: the AI_GATEWAY_URL variable's",
            }),
          ),
          disabled_direct_code_suggestions: Type.Optional(Type.Boolean()),
        }),
        response: { 200: ApplicationSettingsEntity, ...gitlabErrors(400, 403) },
      },
      config: ADMINISTRATORS,
    },
    async (request) => {
      const { body } = request;
      const settings = await updateApplicationSettings(prisma, app.secretBox, {
        instanceLevelCodeSuggestionsEnabled: body.instance_level_code_suggestions_enabled,
        aiAccessToken: body.ai_access_token,
        aiGatewayUrl: body.ai_gateway_url,
        disabledDirectCodeSuggestions: body.disabled_direct_code_suggestions,
      });
      return settingsView(settings, defaults);
    },
  );
};
