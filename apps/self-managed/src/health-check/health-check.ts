import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@token-broker/db";
import {
  createGatewayDispatcher,
  gatewayBaseUrl,
  globalUserId,
} from "@token-broker/editor-api/gateway";
import type { EditorConfig } from "@token-broker/instance";
import type { SecretBox } from "@token-broker/secrets";
import { probeInstanceToken } from "../instance-token/instance-token-probe.ts";
import type { CurrentInstanceToken } from "../instance-token/instance-tokens.ts";
import type { SaasHop } from "../saas-proxy/saas-hop.ts";
import { type Gateway, probeCodeCompletion, probeGatewayReachable } from "./gateway-probes.ts";
import { type HealthReport, type Probe, report } from "./report.ts";
import { probeReachable, probeServiceToken, type Saas } from "./saas-probes.ts";
import { loadStoredSettings } from "./stored-settings.ts";
import { probeTokenIssuance } from "./token-issuance-probe.ts";

/** This instance's side of the connection, as stored (the token decrypted). */
export interface StoredSettings {
  readonly instanceLevelCodeSuggestionsEnabled: boolean;
  readonly aiAccessToken: string | undefined;
  readonly instanceUuid: string;
  /** The setting `ai_gateway_url` (null: AI_GATEWAY_URL's gateway). */
  readonly aiGatewayUrl: string | null;
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
  /** The AI gateway completions go to, reached as the editor API reaches it. */
  readonly gateway: Gateway;
  /** GITLAB_VERSION, sent as X-Gitlab-Version like every completion's. */
  readonly gitlabVersion: string;
}

interface SaasSide {
  readonly probes: Probe[];
  /** The instance token the `instance_token` probe found, for the test completion. */
  readonly held?: CurrentInstanceToken;
}

/** The SaaS probes and `instance_token`, each run when it still makes sense. */
async function checkSaasSide(
  saas: Saas,
  settings: StoredSettings,
  options: HealthCheckOptions,
  now: Date,
): Promise<SaasSide> {
  const token = settings.aiAccessToken;
  if (token === undefined) {
    const { probe: reachable } = await probeReachable(saas);
    const because = "no ai_access_token is stored (see instance_settings)";
    return {
      probes: [
        reachable,
        notChecked("service_token", because),
        notChecked("token_issuance", because),
        notChecked("instance_token", because),
      ],
    };
  }
  let held: CurrentInstanceToken | undefined;
  const [{ probe: reachable, discovery }, instanceToken] = await Promise.all([
    probeReachable(saas),
    probeInstanceToken(async () => {
      held = await options.instanceToken();
      return held;
    }, now),
  ]);
  if (!reachable.success) {
    const because = "SaaS is not reachable (see saas_reachable)";
    return {
      probes: [
        reachable,
        notChecked("service_token", because),
        notChecked("token_issuance", because),
        instanceToken,
      ],
      ...(held === undefined ? {} : { held }),
    };
  }
  const [serviceToken, issuance] = await Promise.all([
    probeServiceToken(saas, token, now),
    probeTokenIssuance(
      saas,
      { aiAccessToken: token, instanceId: settings.instanceUuid, hostName: options.hostName },
      discovery,
    ),
  ]);
  return {
    probes: [reachable, serviceToken, issuance, instanceToken],
    ...(held === undefined ? {} : { held }),
  };
}

/**
 * The probes in order (docs/operations.md, Health check), each run when it still makes
 * sense after an earlier failure. Every request to SaaS goes through the token hop's
 * dispatcher; the gateway is reached as the editor API reaches it. `instance_token` runs
 * even when SaaS is unreachable: a held token is used until it expires.
 */
export async function runHealthCheck(
  saas: Saas,
  settings: StoredSettings,
  options: HealthCheckOptions,
): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const [saasSide, gatewayReachable] = await Promise.all([
    checkSaasSide(saas, settings, options, now),
    probeGatewayReachable(options.gateway),
  ]);
  let completion: Probe;
  if (saasSide.held === undefined) {
    completion = notChecked("code_completion", "no instance token is held (see instance_token)");
  } else if (!gatewayReachable.success) {
    completion = notChecked(
      "code_completion",
      "the AI gateway is not reachable (see ai_gateway_reachable)",
    );
  } else {
    // The check completes for the instance, not for a user: user id 0, which no user has,
    // so that it counts against no user's budget at the gateway.
    completion = await probeCodeCompletion(
      options.gateway,
      saasSide.held.token,
      {
        instanceId: settings.instanceUuid,
        globalUserId: globalUserId(settings.instanceUuid, 0),
        hostName: options.hostName,
        gitlabVersion: options.gitlabVersion,
      },
      randomUUID(),
    );
  }
  return report([settingsProbe(settings), ...saasSide.probes, gatewayReachable, completion]);
}

/** How long the gateway may take to answer its liveness probe (a completion waits longer). */
const GATEWAY_REACHABLE_TIMEOUT_MS = 10_000;

export interface ConnectionCheck {
  readonly hop: SaasHop;
  readonly prisma: PrismaClient;
  readonly secretBox: SecretBox;
  readonly instanceToken: () => Promise<CurrentInstanceToken>;
  /** The editor API's configuration: AI_GATEWAY_URL, GITLAB_VERSION, AI_GATEWAY_TIMEOUT_MS. */
  readonly editor: EditorConfig;
}

/**
 * The check as the route and the console run it: the settings as stored now, then the
 * probes, over the token requests' own hop to SaaS and a pool of the editor API's kind to
 * the gateway (closed when the check ends).
 */
export async function checkSaasConnection(check: ConnectionCheck): Promise<HealthReport> {
  const { hop, editor } = check;
  const settings = await loadStoredSettings(check.prisma, check.secretBox);
  const timeoutMs = Math.min(GATEWAY_REACHABLE_TIMEOUT_MS, editor.gatewayTimeoutMs);
  const dispatcher = createGatewayDispatcher(editor.gatewayTimeoutMs);
  try {
    return await runHealthCheck(hop, settings, {
      hostName: hop.hostName,
      instanceToken: check.instanceToken,
      gitlabVersion: editor.gitlabVersion,
      gateway: {
        url: gatewayBaseUrl(settings, editor.aiGatewayUrl),
        source: settings.aiGatewayUrl === null ? "AI_GATEWAY_URL" : "ai_gateway_url",
        dispatcher,
        timeoutMs,
        completionTimeoutMs: editor.gatewayTimeoutMs,
      },
    });
  } finally {
    await dispatcher.close();
  }
}
