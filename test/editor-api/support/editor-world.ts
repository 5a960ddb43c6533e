import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import {
  type ModelServer,
  type ModelServerOptions,
  type RunningService,
  startModelServer,
} from "@token-broker/testing";
import { afterAll, beforeAll } from "vitest";
import { gatewayEnv } from "../../ai-gateway/gateway-world.ts";
import { type RunningGateway, startAiGateway } from "../../ai-gateway/running-gateway.ts";
import {
  configuredSelfManaged,
  saasWithServiceAccount,
} from "../../self-managed-proxy/instances.ts";

export interface EditorWorld {
  readonly saas: RunningService<SaasConfig>;
  readonly selfManaged: RunningService<SelfManagedConfig>;
  readonly model: ModelServer;
  readonly gateway: RunningGateway;
}

/**
 * Every participant, real: SaaS (with a service account), the model stand-in, the AI gateway
 * trusting SaaS, and a self-managed instance holding the service token whose AI_GATEWAY_URL is
 * that gateway. SaaS learns the gateway's address through its `ai_gateway_url` setting (the
 * gateway needs SaaS's address first).
 */
export function useEditorWorld(options: { model?: ModelServerOptions } = {}) {
  let world: EditorWorld | undefined;
  beforeAll(async () => {
    const { saas, serviceToken } = await saasWithServiceAccount();
    const model = await startModelServer(options.model);
    const gateway = await startAiGateway({ env: gatewayEnv({ saas, model }) });
    await saas.database.prisma.applicationSetting.update({
      where: { id: 1 },
      data: { aiGatewayUrl: gateway.url },
    });
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken, {
      AI_GATEWAY_URL: gateway.url,
    });
    world = { saas, selfManaged, model, gateway };
  });
  afterAll(async () => {
    await world?.selfManaged.close();
    await world?.gateway.close();
    await world?.model.close();
    await world?.saas.close();
  });
  return (): EditorWorld => {
    if (world === undefined) throw new Error("useEditorWorld(): not started yet");
    return world;
  };
}
