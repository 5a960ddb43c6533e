import { BrokerError } from "@token-broker/errors";

const TIMEOUT_CODES = new Set([
  "FST_REPLY_FROM_GATEWAY_TIMEOUT",
  "FST_REPLY_FROM_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * How an upstream failure is answered: 504 when SaaS did not answer within the timeout
 * (including a connection that never completed), 502 for everything else (refused, reset,
 * name not found, TLS). The body never says more than the status.
 */
export function upstreamFailure(error: Error & { code?: string; cause?: unknown }): BrokerError {
  const cause = error.cause as { code?: string } | undefined;
  return TIMEOUT_CODES.has(error.code ?? "") || TIMEOUT_CODES.has(cause?.code ?? "")
    ? new BrokerError("upstream_timeout", "SaaS did not answer in time", { cause: error })
    : new BrokerError("upstream_unreachable", "SaaS is unreachable", { cause: error });
}
