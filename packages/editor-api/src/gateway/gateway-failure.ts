import { BrokerError } from "@token-broker/errors";

/** undici's own timeouts, and reply-from's name for them. */
const TIMEOUT_CODES = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "FST_REPLY_FROM_GATEWAY_TIMEOUT",
  "FST_REPLY_FROM_CONNECT_TIMEOUT",
]);

/** Whether a failed exchange with the gateway is the gateway not answering in time. */
export function isGatewayTimeout(error: unknown): boolean {
  const { code, cause, name } = error as {
    code?: string;
    cause?: { code?: string };
    name?: string;
  };
  return (
    name === "TimeoutError" || TIMEOUT_CODES.has(code ?? "") || TIMEOUT_CODES.has(cause?.code ?? "")
  );
}

/**
 * How a failed exchange is answered: 504 when the gateway did not answer in time, 502 for
 * everything else. The body never says more than the status (no address, no message).
 */
export function gatewayFailure(error: unknown): BrokerError {
  return isGatewayTimeout(error)
    ? new BrokerError("upstream_timeout", "the AI gateway did not answer in time", { cause: error })
    : new BrokerError("upstream_unreachable", "the AI gateway is unreachable", { cause: error });
}
