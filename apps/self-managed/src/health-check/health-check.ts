import { probeInstanceToken } from "../instance-token/instance-token-probe.ts";
import type { CurrentInstanceToken } from "../instance-token/instance-tokens.ts";
import { type HealthReport, type Probe, report } from "./report.ts";
import { probeReachable, probeServiceToken, type Saas } from "./saas-probes.ts";
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

export interface HealthCheckOptions {
  readonly hostName: string;
  readonly now?: Date;
  /** The instance token as completions get it (app.instanceToken.current, or the store's). */
  readonly instanceToken: () => Promise<CurrentInstanceToken>;
}

/**
 * The probes in order (docs/operations.md, Health check), each run when it still makes
 * sense after an earlier failure. Every request goes through the token hop's dispatcher.
 * `instance_token` runs even when SaaS is unreachable: a held token is used until it expires.
 */
export async function runHealthCheck(
  saas: Saas,
  settings: StoredSettings,
  options: HealthCheckOptions,
): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const instance = settingsProbe(settings);
  const token = settings.aiAccessToken;
  if (token === undefined) {
    const { probe: reachable } = await probeReachable(saas);
    const because = "no ai_access_token is stored (see instance_settings)";
    return report([
      instance,
      reachable,
      notChecked("service_token", because),
      notChecked("token_issuance", because),
      notChecked("instance_token", because),
    ]);
  }
  const [{ probe: reachable, discovery }, instanceToken] = await Promise.all([
    probeReachable(saas),
    probeInstanceToken(options.instanceToken, now),
  ]);
  if (!reachable.success) {
    const because = "SaaS is not reachable (see saas_reachable)";
    return report([
      instance,
      reachable,
      notChecked("service_token", because),
      notChecked("token_issuance", because),
      instanceToken,
    ]);
  }
  const [serviceToken, issuance] = await Promise.all([
    probeServiceToken(saas, token, now),
    probeTokenIssuance(
      saas,
      { aiAccessToken: token, instanceId: settings.instanceUuid, hostName: options.hostName },
      discovery,
    ),
  ]);
  return report([instance, reachable, serviceToken, issuance, instanceToken]);
}
