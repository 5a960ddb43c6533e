import { randomUUID } from "node:crypto";
import { readApplicationSettings } from "@token-broker/admin";
import type { TokenDigester } from "@token-broker/auth";
import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { networkFailure } from "../health-check/network-failure.ts";
import type { SaasHop } from "../saas-proxy/saas-hop.ts";
import { fetchInstanceToken } from "./fetch-instance-token.ts";
import {
  claimRefresh,
  type HeldToken,
  readStoredToken,
  recordFailure,
  type StoredState,
  storeToken,
} from "./instance-token-store.ts";

/** How one refresh attempt ended; every outcome but `issued` leaves the stored token as it was. */
export type RefreshResult =
  | { readonly outcome: "issued"; readonly held: HeldToken }
  /** Another replica (or the console) is refreshing, or the stored token needs none. */
  | { readonly outcome: "not_claimed" }
  | RefreshFailure;

export type RefreshFailure = {
  readonly outcome: "no_service_token" | "refused" | "timeout" | "unreachable" | "invalid_answer";
  /** For administrators (console, health check, log): what happened and what to do. */
  readonly message: string;
  readonly upstreamStatus?: number;
  readonly saasRequestId?: string;
};

export type RefreshOutcome = RefreshResult["outcome"];

export interface InstanceTokenRefresherOptions {
  readonly prisma: PrismaClient;
  readonly secretBox: SecretBox;
  readonly digest: TokenDigester;
  /** The token hop's route to SaaS (its dispatcher: proxy and CA; this instance's host name). */
  readonly saas: SaasHop;
}

/** What an administrator does about each refusal (the legacy decision table's statuses). */
const REFUSALS: Readonly<Record<number, string>> = {
  400: "SaaS refused the request (400): this instance's UUID or realm header was not accepted",
  401: "SaaS refused to issue an instance token (401): on SaaS, turn the feature flag code_suggestions_for_instance_admin_enabled on for the service account, and check that Code Suggestions is on for it and its groups",
  403: "SaaS refused the stored ai_access_token (403): its user may be blocked or the token lacks the ai_features scope; create a new one on SaaS and store it",
  404: "SaaS's token API is off (404): the feature flag code_suggestions_tokens_api is disabled on SaaS",
  429: "SaaS is rate-limiting this instance's token requests (429): the held token is used meanwhile; ask SaaS's operators about TOKENS_RATE_LIMIT_PER_INSTANCE if it persists",
};

/** The claim outlives one exchange with SaaS: headers and body each get SAAS_TIMEOUT_MS. */
export function leaseMs(saasTimeoutMs: number): number {
  return 2 * saasTimeoutMs + 5_000;
}

/**
 * Fetches and stores the instance token, one replica at a time (see claimRefresh). The
 * database holds the result, so this works the same from a replica and from the console.
 */
export function createInstanceTokenRefresher(options: InstanceTokenRefresherOptions) {
  const { prisma, secretBox, digest, saas } = options;
  const lease = leaseMs(saas.timeoutMs);

  async function refresh(request: { force: boolean }): Promise<RefreshResult> {
    // Read anew: a changed ai_access_token must be used at once.
    const settings = await readApplicationSettings(prisma);
    if (settings.encryptedAiAccessToken === null) {
      return {
        outcome: "no_service_token",
        message:
          "no ai_access_token is stored: create a personal access token with the ai_features scope for the service account on SaaS and store it as ai_access_token",
      };
    }
    const aiAccessToken = secretBox.decrypt(settings.encryptedAiAccessToken);
    const serviceTokenDigest = digest(aiAccessToken);
    if (
      !(await claimRefresh(prisma, { serviceTokenDigest, force: request.force, leaseMs: lease }))
    ) {
      return { outcome: "not_claimed" };
    }
    const fetched = await fetchInstanceToken({
      dispatcher: saas.dispatcher,
      saasUrl: saas.saasUrl,
      timeoutMs: saas.timeoutMs,
      identity: {
        aiAccessToken,
        instanceId: settings.instanceUuid,
        hostName: saas.hostName,
        requestId: randomUUID(),
      },
    });
    const ids = { upstreamStatus: fetched.upstreamStatus, saasRequestId: fetched.saasRequestId };
    if (fetched.outcome === "issued") {
      const held = await storeToken(prisma, secretBox, {
        token: fetched.token,
        expiresAt: new Date(fetched.expiresAt * 1000),
        serviceTokenDigest,
      });
      return { outcome: "issued", held };
    }
    const failure: RefreshFailure =
      fetched.outcome === "refused"
        ? {
            outcome: "refused",
            message: REFUSALS[fetched.status] ?? `SaaS answered ${fetched.status}`,
            ...ids,
          }
        : fetched.outcome === "invalid_answer"
          ? {
              outcome: "invalid_answer",
              message: `${fetched.reason}: check SaaS's status and logs (request id ${fetched.saasRequestId ?? "unknown"})`,
              ...ids,
            }
          : { outcome: fetched.outcome, message: networkFailure(fetched.error, saas), ...ids };
    await recordFailure(
      prisma,
      failure.outcome === "refused" ? `refused (${fetched.upstreamStatus})` : failure.outcome,
    );
    return failure;
  }

  return {
    /** How long a claim lasts: a replica that lost one waits at most this for the winner. */
    leaseMs: lease,
    read: (): Promise<StoredState> => readStoredToken(prisma, secretBox),
    /** The HMAC of the stored ai_access_token, as the stored token records it (none: unset). */
    async serviceTokenDigest(): Promise<string | undefined> {
      const { encryptedAiAccessToken } = await readApplicationSettings(prisma);
      return encryptedAiAccessToken === null
        ? undefined
        : digest(secretBox.decrypt(encryptedAiAccessToken));
    },
    refresh,
  };
}

export type InstanceTokenRefresher = ReturnType<typeof createInstanceTokenRefresher>;
