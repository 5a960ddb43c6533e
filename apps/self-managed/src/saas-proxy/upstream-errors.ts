import { BrokerError } from "@token-broker/errors";
import type { SaasFailure } from "./post-to-saas.ts";

/** undici's own timeouts: connecting, waiting for headers, waiting between body chunks. */
const TIMEOUT_CODES = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The deadline of one exchange with SaaS passed (see requestSaasToken). */
export class SaasTimeout extends Error {
  constructor(phase: "headers" | "body") {
    super(`SaaS sent no ${phase === "headers" ? "response headers" : "complete body"} in time`);
    this.name = "SaasTimeout";
  }
}

/** Whether an error of the exchange is SaaS (or the proxy) not answering in time. */
export function isTimeout(error: unknown): boolean {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return (
    error instanceof SaasTimeout ||
    TIMEOUT_CODES.has(code ?? "") ||
    TIMEOUT_CODES.has(cause?.code ?? "")
  );
}

/**
 * How a failed exchange is answered: 504 when SaaS did not answer in time, 502 for
 * everything else (refused, reset, name not found, TLS, a proxy refusing, an answer that
 * is not a token nor a GitLab refusal). The body never says more than the status.
 */
export function saasFailureError(failure: SaasFailure): BrokerError {
  switch (failure.outcome) {
    case "timeout":
      return new BrokerError("upstream_timeout", "SaaS did not answer in time", {
        cause: failure.error,
      });
    case "unreachable":
      return new BrokerError("upstream_unreachable", "SaaS is unreachable", {
        cause: failure.error,
      });
    case "invalid_answer":
      return new BrokerError("upstream_invalid_answer", failure.reason);
  }
}
