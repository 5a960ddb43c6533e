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
    async () => settingsView(await readApplicationSettings(prisma)),
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
        }),
        response: { 200: ApplicationSettingsEntity, ...gitlabErrors(400, 403) },
      },
      config: ADMINISTRATORS,
    },
    async (request) => {
      const { instance_level_code_suggestions_enabled, ai_access_token } = request.body;
      const settings = await updateApplicationSettings(prisma, app.secretBox, {
        instanceLevelCodeSuggestionsEnabled: instance_level_code_suggestions_enabled,
        aiAccessToken: ai_access_token,
      });
      return settingsView(settings);
    },
  );
};
