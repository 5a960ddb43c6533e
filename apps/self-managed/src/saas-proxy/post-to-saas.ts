import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { MAX_ANSWER_BYTES, readAtMost } from "./saas-answer.ts";
import { isTimeout, SaasTimeout } from "./upstream-errors.ts";
import { type UpstreamIdentity, upstreamHeaders } from "./upstream-request.ts";

export type SaasFailure =
  | { readonly outcome: "timeout" | "unreachable"; readonly error: unknown }
  | { readonly outcome: "invalid_answer"; readonly reason: string };

/** What SaaS said, read whole (at most 16 KB), and the ids that tie it to SaaS's logs. */
export interface SaasAnswered {
  readonly outcome: "answered";
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type SaasExchange = (SaasAnswered | SaasFailure) & {
  /** SaaS's status, when it answered. */
  readonly upstreamStatus?: number;
  /** SaaS's request id, when it answered: ties our log line to SaaS's. */
  readonly saasRequestId?: string;
};

export interface SaasPost {
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
 * `POST {SAAS_URL}{path}` with an empty body and the service account's headers. SaaS's
 * headers must arrive within the timeout, and then its whole body (at most 16 KB is read)
 * within another: a trickling SaaS cannot hold a request open.
 */
export async function postToSaas(request: SaasPost, path: string): Promise<SaasExchange> {
  const target = saasTarget(request.saasUrl, path);
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
    return {
      outcome: "answered",
      status: response.statusCode,
      headers: response.headers,
      body,
      ...answered,
    };
  } catch (error) {
    return { outcome: isTimeout(error) ? "timeout" : "unreachable", error, ...answered };
  } finally {
    clearTimeout(timer);
  }
}
