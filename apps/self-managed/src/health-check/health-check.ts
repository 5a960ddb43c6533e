import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import type { SaasHop } from "../saas-proxy/saas-hop.ts";
import { type HealthReport, type Probe, report } from "./report.ts";
import { probeReachable, probeServiceToken, type Saas } from "./saas-probes.ts";
import { loadStoredSettings } from "./stored-settings.ts";
import { probeTokenIssuance } from "./token-issuance-probe.ts";

/** This instance's side of the connection, as stored (the token decrypted). */
export interface StoredSettings {
  readonly instanceLevelCodeSuggestionsEnabled: boolean;
  readonly aiAccessToken: string | undefined;
  readonly instanceUuid: string;
}

function settingsProbe(settings: StoredSettings): Probe {
  const problems = [
    ...(settings.instanceLevelCodeSuggestionsEnabled
      ? []
      : [
          "instance_level_code_suggestions_enabled is off: turn it on (PUT /api/v4/application/settings, or the console's settings set)",
        ]),
    ...(settings.aiAccessToken === undefined
      ? [
          "no ai_access_token is stored: create a personal access token with the ai_features scope for the service account on SaaS and store it as ai_access_token",
        ]
      : []),
  ];
  return problems.length === 0
    ? {
        name: "instance_settings",
        success: true,
        message: "Code Suggestions is on for this instance and an ai_access_token is stored",
      }
    : { name: "instance_settings", success: false, message: problems.join("; ") };
}

function notChecked(name: Probe["name"], because: string): Probe {
  return { name, success: false, message: `not checked: ${because}` };
}

/**
 * The four probes in order (docs/operations.md, Health check), each run when it still makes
 * sense after an earlier failure. Every request goes through the token hop's dispatcher.
 */
export async function runHealthCheck(
  saas: Saas,
  settings: StoredSettings,
  options: { hostName: string; now?: Date },
): Promise<HealthReport> {
  const instance = settingsProbe(settings);
  const { probe: reachable, discovery } = await probeReachable(saas);
  const token = settings.aiAccessToken;
  if (token === undefined) {
    const because = "no ai_access_token is stored (see instance_settings)";
    return report([
      instance,
      reachable,
      notChecked("service_token", because),
      notChecked("token_issuance", because),
    ]);
  }
  if (!reachable.success) {
    const because = "SaaS is not reachable (see saas_reachable)";
    return report([
      instance,
      reachable,
      notChecked("service_token", because),
      notChecked("token_issuance", because),
    ]);
  }
  const [serviceToken, issuance] = await Promise.all([
    probeServiceToken(saas, token, options.now ?? new Date()),
    probeTokenIssuance(
      saas,
      { aiAccessToken: token, instanceId: settings.instanceUuid, hostName: options.hostName },
      discovery,
    ),
  ]);
  return report([instance, reachable, serviceToken, issuance]);
}

/**
 * The check as the route and the console run it: the settings as stored now, then the
 * probes, over the token requests' own hop.
 */
export async function checkSaasConnection(
  hop: SaasHop,
  prisma: PrismaClient,
  secretBox: SecretBox,
): Promise<HealthReport> {
  const settings = await loadStoredSettings(prisma, secretBox);
  return runHealthCheck(hop, settings, { hostName: hop.hostName });
}
