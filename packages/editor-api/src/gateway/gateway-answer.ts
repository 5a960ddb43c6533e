import { BrokerError } from "@token-broker/errors";

/** What the gateway's completion routes answer: JSON, or a stream (raw chunks or SSE). */
const RELAYED_TYPES = /^(?:application\/json|text\/event-stream|text\/plain)(?:\s*;|$)/i;

/** The gateway's headers an editor sees: its content type and, for SSE, the stream's format. */
export function relayedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const relayed: Record<string, string> = {};
  const type = single(headers["content-type"]);
  const format = single(headers["x-streaming-format"]);
  if (type !== undefined) relayed["content-type"] = type;
  if (format !== undefined && /^[\w-]{1,32}$/.test(format)) relayed["x-streaming-format"] = format;
  return relayed;
}

/**
 * Whether an answer of the gateway may be relayed as it is: a status the gateway's API has
 * and one of its content types. Anything else (an HTML error page of a proxy in between, say)
 * is the instance's 502.
 */
export function checkRelayable(statusCode: number, contentType: string | undefined): void {
  const knownStatus = statusCode === 200 || (statusCode >= 400 && statusCode <= 504);
  if (!knownStatus || !RELAYED_TYPES.test(contentType ?? "")) {
    throw new BrokerError(
      "upstream_invalid_answer",
      `the AI gateway answered ${statusCode} with ${contentType ? "an unexpected content type" : "no content type"}`,
    );
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
