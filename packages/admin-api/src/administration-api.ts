import type { FastifyPluginAsync } from "fastify";
import { gitlabParams } from "./gitlab-params.ts";
import { applicationSettingsRoutes } from "./routes/application-settings.ts";
import { featureRoutes } from "./routes/features.ts";
import { groupMemberRoutes } from "./routes/group-members.ts";
import { groupRoutes } from "./routes/groups.ts";
import { metadataRoutes } from "./routes/metadata.ts";
import { personalAccessTokenRoutes } from "./routes/personal-access-tokens.ts";
import { serviceAccountRoutes } from "./routes/service-accounts.ts";
import { userRoutes } from "./routes/users.ts";

/** The GitLab-compatible administration subset, under /api/v4 (see docs/instance-api.md). */
export const administrationApi: FastifyPluginAsync = async (app) => {
  await gitlabParams(app);
  await app.register(userRoutes);
  await app.register(serviceAccountRoutes);
  await app.register(personalAccessTokenRoutes);
  await app.register(groupRoutes);
  await app.register(groupMemberRoutes);
  await app.register(featureRoutes);
  await app.register(applicationSettingsRoutes);
  await app.register(metadataRoutes);
};
