import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { API_SCOPES } from "@token-broker/auth";
import { Type } from "typebox";
import { checkSaasConnection } from "../health-check/health-check.ts";
import type { SaasHop } from "../saas-proxy/saas-hop.ts";

const HealthReport = Type.Object({
  success: Type.Boolean(),
  probes: Type.Array(
    Type.Object({ name: Type.String(), success: Type.Boolean(), message: Type.String() }),
  ),
});

/** `GET /api/v4/code_suggestions/health_check` (admins; docs/operations.md, Health check). */
export const healthCheckRoutes: FastifyPluginAsyncTypebox<SaasHop> = async (app, hop) => {
  app.get(
    "/api/v4/code_suggestions/health_check",
    {
      schema: {
        summary: "Check the connection to SaaS and the AI gateway (administrators)",
        tags: ["code_suggestions"],
        response: { 200: HealthReport },
      },
      config: { scopes: API_SCOPES, administratorsOnly: true },
    },
    async () =>
      checkSaasConnection({
        hop,
        prisma: app.database.prisma,
        secretBox: app.secretBox,
        instanceToken: () => app.instanceToken.current(),
        editor: app.config.editor,
      }),
  );
};
