import type { Command } from "@token-broker/console";
import type { SelfManagedConfig } from "../config.ts";
import { createSaasDispatcher } from "../saas-proxy/saas-dispatcher.ts";
import { runHealthCheck } from "./health-check.ts";
import { formatReport } from "./report.ts";
import { loadStoredSettings } from "./stored-settings.ts";

/** `health-check [--json]`: exit code 0 when every probe succeeds, 1 otherwise. */
export const HEALTH_CHECK: Command<SelfManagedConfig> = {
  name: "health-check",
  summary: "check the connection to SaaS: settings, reachability, the stored token, issuance",
  options: { json: { type: "boolean", description: "print the report as JSON" } },
  async run({ config, prisma, secretBox, io }, _args, values) {
    const dispatcher = createSaasDispatcher(config.saasNetwork, config.saasTimeoutMs);
    try {
      const healthReport = await runHealthCheck(
        {
          dispatcher,
          saasUrl: config.saasUrl,
          timeoutMs: config.saasTimeoutMs,
          proxyName: config.saasNetwork.proxyName,
        },
        await loadStoredSettings(prisma, secretBox),
        { hostName: new URL(config.externalUrl).hostname },
      );
      io.out(values.json ? JSON.stringify(healthReport) : formatReport(healthReport));
      return healthReport.success ? 0 : 1;
    } finally {
      await dispatcher.close();
    }
  },
};
