import { Counter, Gauge, type Registry } from "prom-client";
import type { RefreshFailure } from "./instance-token-refresher.ts";
import type { HeldToken } from "./instance-token-store.ts";

export type RefreshAttemptOutcome = "issued" | RefreshFailure["outcome"];

const OUTCOMES: readonly RefreshAttemptOutcome[] = [
  "issued",
  "refused",
  "timeout",
  "unreachable",
  "invalid_answer",
  "no_service_token",
];

/**
 * The instance token's metrics: its age and time left (absent while none is held), and this
 * replica's refresh attempts by outcome (a closed set: never SaaS's status text or a token).
 */
export function createInstanceTokenMetrics(registry: Registry, held: () => HeldToken | undefined) {
  const registers = [registry];
  const refreshes = new Counter({
    name: "instance_token_refreshes_total",
    help: "Instance token fetches from SaaS by this replica, by outcome: issued or why it failed",
    labelNames: ["outcome"] as const,
    registers,
  });
  // Present from the start, so that rates over them exist before the first event.
  for (const outcome of OUTCOMES) refreshes.inc({ outcome }, 0);
  const seconds = (name: string, help: string, of: (token: HeldToken, now: number) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const token = held();
        this.reset();
        if (token !== undefined) this.set(of(token, Date.now()) / 1000);
      },
    });
  seconds(
    "instance_token_age_seconds",
    "Seconds since the held instance token was fetched from SaaS",
    (token, now) => now - token.issuedAt.getTime(),
  );
  seconds(
    "instance_token_remaining_seconds",
    "Seconds until the held instance token expires (negative: expired)",
    (token, now) => token.expiresAt.getTime() - now,
  );
  return {
    countRefresh(outcome: RefreshAttemptOutcome): void {
      refreshes.inc({ outcome });
    },
  };
}

export type InstanceTokenMetrics = ReturnType<typeof createInstanceTokenMetrics>;
