import type { Command } from "@token-broker/console";
import type { SelfManagedConfig } from "../config.ts";
import { createInstanceTokenRefresher } from "../instance-token/instance-token-refresher.ts";
import { storedOrFetched } from "../instance-token/stored-instance-token.ts";
import { createSaasDispatcher } from "../saas-proxy/saas-dispatcher.ts";
import { runHealthCheck } from "./health-check.ts";
import { formatReport } from "./report.ts";
import { loadStoredSettings } from "./stored-settings.ts";

/** `health-check [--json]`: exit code 0 when every probe succeeds, 1 otherwise. */
export const HEALTH_CHECK: Command<SelfManagedConfig> = {
  name: "health-check",
  summary:
    "check the connection to SaaS: settings, reachability, the stored token, issuance, the instance token",
  options: { json: { type: "boolean", description: "print the report as JSON" } },
  async run({ config, prisma, secretBox, digest, io }, _args, values) {
    const dispatcher = createSaasDispatcher(config.saasNetwork, config.saasTimeoutMs);
    try {
      const saas = {
        dispatcher,
        saasUrl: config.saasUrl,
        timeoutMs: config.saasTimeoutMs,
        proxyName: config.saasNetwork.proxyName,
      };
      const hostName = new URL(config.externalUrl).hostname;
      const refresher = createInstanceTokenRefresher({ prisma, secretBox, digest, saas, hostName });
      const healthReport = await runHealthCheck(saas, await loadStoredSettings(prisma, secretBox), {
        hostName,
        instanceToken: () => storedOrFetched(refresher),
      });
      io.out(values.json ? JSON.stringify(healthReport) : formatReport(healthReport));
      return healthReport.success ? 0 : 1;
    } finally {
      await dispatcher.close();
    }
  },
};
