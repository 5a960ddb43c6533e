import type { Dispatcher } from "undici";
import { MAX_ANSWER_BYTES, type RelayedAnswer, readAtMost, relayable } from "./saas-answer.ts";
import { isTimeout, SaasTimeout } from "./upstream-errors.ts";
import { type UpstreamIdentity, upstreamHeaders } from "./upstream-request.ts";

export const TOKENS_PATH = "/api/v4/code_suggestions/tokens";

export type SaasFailure =
  | { readonly outcome: "timeout" | "unreachable"; readonly error: unknown }
  | { readonly outcome: "invalid_answer"; readonly reason: string };

/**
 * One token request to SaaS and what came of it: `relayed` (SaaS's token or refusal, with
 * its status) or a failure. The one place where the upstream status and outcome are known.
 */
export type SaasOutcome = (
  | { readonly outcome: "relayed"; readonly answer: RelayedAnswer }
  | SaasFailure
) & {
  /** SaaS's status, when it answered. */
  readonly upstreamStatus?: number;
  /** SaaS's request id, when it answered: ties our log line to SaaS's. */
  readonly saasRequestId?: string;
};

export interface SaasTokenRequest {
  readonly dispatcher: Dispatcher;
  /** SAAS_URL (it may carry a path: a relative URL root). */
  readonly saasUrl: string;
  readonly timeoutMs: number;
  readonly identity: UpstreamIdentity;
}

/** Where a request below SAAS_URL goes: SAAS_URL's path, then `path`. */
export function saasTarget(saasUrl: string, path: string): URL {
  const base = new URL(saasUrl);
  return new URL(`${base.pathname.replace(/\/+$/, "")}${path}`, base.origin);
}

/**
 * `POST {SAAS_URL}/api/v4/code_suggestions/tokens` with an empty body and the service
 * account's headers. SaaS's headers must arrive within the timeout, and then its whole body
 * (at most 16 KB is read) within another: a trickling SaaS cannot hold a request open.
 */
export async function requestSaasToken(request: SaasTokenRequest): Promise<SaasOutcome> {
  const target = saasTarget(request.saasUrl, TOKENS_PATH);
  const deadline = new AbortController();
  let timer = setTimeout(() => deadline.abort(new SaasTimeout("headers")), request.timeoutMs);
  let answered: { upstreamStatus: number; saasRequestId?: string } | undefined;
  try {
    const response = await request.dispatcher.request({
      origin: target.origin,
      path: target.pathname,
      method: "POST",
      headers: upstreamHeaders(request.identity),
      signal: deadline.signal,
    });
    clearTimeout(timer);
    timer = setTimeout(() => deadline.abort(new SaasTimeout("body")), request.timeoutMs);
    const requestId = response.headers["x-request-id"];
    answered = {
      upstreamStatus: response.statusCode,
      ...(typeof requestId === "string" ? { saasRequestId: requestId } : {}),
    };
    const body = await readAtMost(response.body, MAX_ANSWER_BYTES);
    if (body === undefined) {
      return { outcome: "invalid_answer", reason: "SaaS's answer is over 16 KB", ...answered };
    }
    const answer = relayable(response.statusCode, response.headers, body);
    if (answer === undefined) {
      return {
        outcome: "invalid_answer",
        reason: `SaaS answered ${response.statusCode} without a token or a GitLab refusal`,
        ...answered,
      };
    }
    return { outcome: "relayed", answer, ...answered };
  } catch (error) {
    return { outcome: isTimeout(error) ? "timeout" : "unreachable", error, ...answered };
  } finally {
    clearTimeout(timer);
  }
}
