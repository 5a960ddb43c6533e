import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Dispatcher } from "undici";
import { runHealthCheck } from "../health-check/health-check.ts";
import { loadStoredSettings } from "../health-check/stored-settings.ts";

export interface HealthCheckOptions {
  readonly saasUrl: string;
  readonly saasTimeoutMs: number;
  /** The token hop's own dispatcher: the check goes the same way (proxy and CA). */
  readonly dispatcher: Dispatcher;
  readonly proxyName?: string;
  readonly hostName: string;
}

const HealthReport = Type.Object({
  success: Type.Boolean(),
  probes: Type.Array(
    Type.Object({ name: Type.String(), success: Type.Boolean(), message: Type.String() }),
  ),
});

/** `GET /api/v4/code_suggestions/health_check` (admins; docs/operations.md, Health check). */
export const healthCheckRoutes: FastifyPluginAsyncTypebox<HealthCheckOptions> = async (
  app,
  options,
) => {
  app.get(
    "/api/v4/code_suggestions/health_check",
    {
      schema: {
        summary: "Check the connection to SaaS (administrators)",
        tags: ["code_suggestions"],
        response: { 200: HealthReport },
      },
      config: { scopes: ["api"], administratorsOnly: true },
    },
    async () =>
      runHealthCheck(
        {
          dispatcher: options.dispatcher,
          saasUrl: options.saasUrl,
          timeoutMs: options.saasTimeoutMs,
          proxyName: options.proxyName,
        },
        await loadStoredSettings(app.database.prisma, app.secretBox),
        { hostName: options.hostName, instanceToken: () => app.instanceToken.current() },
      ),
  );
};
