import type { TokenOutcome } from "@token-broker/instance";
import { Counter, type Registry } from "prom-client";

export type GatewayTokenKind = "instance" | "self_issued";

/**
 * `cloud_connector_tokens_total{kind, outcome}`: the sibling of code_suggestions_tokens_total
 * for the tokens the AI gateway takes, so that legacy counts keep their meaning. Labels come
 * from closed sets (never an instance id: anyone holding a service token can choose one).
 */
export function createGatewayTokenMetrics(registry: Registry) {
  const tokens = new Counter({
    name: "cloud_connector_tokens_total",
    help: "AI gateway tokens by kind (instance, self_issued) and outcome: issued, rate_limited, invalid_request or the refusal reason",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  // Present from the start, so that rates over them exist before the first event.
  for (const outcome of ["issued", "rate_limited", "invalid_request"]) {
    tokens.inc({ kind: "instance", outcome }, 0);
  }
  tokens.inc({ kind: "self_issued", outcome: "issued" }, 0);
  return {
    count(kind: GatewayTokenKind, outcome: TokenOutcome): void {
      tokens.inc({ kind, outcome });
    },
  };
}

export type GatewayTokenMetrics = ReturnType<typeof createGatewayTokenMetrics>;
