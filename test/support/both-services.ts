import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll } from "vitest";
import { startSaas, startSelfManaged } from "./services.ts";

export interface BothServices {
  readonly saas: RunningService<SaasConfig>;
  readonly selfManaged: RunningService<SelfManagedConfig>;
}

/**
 * SaaS and a self-managed instance pointed at it, started before the file's tests and
 * closed after. Read the services in tests (not when the file loads); `each` names them for
 * `describe.each`.
 */
export function useBothServices() {
  let started: BothServices | undefined;
  beforeAll(async () => {
    const saas = await startSaas();
    started = { saas, selfManaged: await startSelfManaged(saas.url) };
  });
  afterAll(async () => {
    await started?.selfManaged.close();
    await started?.saas.close();
  });
  const services = (): BothServices => {
    if (started === undefined) throw new Error("useBothServices(): not started yet");
    return started;
  };
  const each: [string, () => RunningService<SaasConfig> | RunningService<SelfManagedConfig>][] = [
    ["SaaS", () => services().saas],
    ["self-managed", () => services().selfManaged],
  ];
  return { services, each };
}
