import type { Command } from "@token-broker/console";
import type { SelfManagedConfig } from "../config.ts";
import { createInstanceTokenRefresher } from "../instance-token/instance-token-refresher.ts";
import { storedOrFetched } from "../instance-token/stored-instance-token.ts";
import { saasHop } from "../saas-proxy/saas-hop.ts";
import { checkSaasConnection } from "./health-check.ts";
import { formatReport } from "./report.ts";

/** `health-check [--json]`: exit code 0 when every probe succeeds, 1 otherwise. */
export const HEALTH_CHECK: Command<SelfManagedConfig> = {
  name: "health-check",
  summary:
    "check the connection to SaaS and the AI gateway: settings, reachability, the stored token, issuance, the instance token, a test completion",
  options: { json: { type: "boolean", description: "print the report as JSON" } },
  async run({ config, prisma, secretBox, digest, io }, _args, values) {
    const hop = saasHop(config);
    try {
      const refresher = createInstanceTokenRefresher({ prisma, secretBox, digest, saas: hop });
      const healthReport = await checkSaasConnection({
        hop,
        prisma,
        secretBox,
        instanceToken: () => storedOrFetched(refresher),
        editor: config.editor,
      });
      io.out(values.json ? JSON.stringify(healthReport) : formatReport(healthReport));
      return healthReport.success ? 0 : 1;
    } finally {
      await hop.dispatcher.close();
    }
  },
};
