import type { Dispatcher } from "undici";
import { MAX_ANSWER_BYTES, readAtMost } from "../saas-proxy/saas-answer.ts";
import { SaasTimeout } from "../saas-proxy/upstream-errors.ts";
import { USER_AGENT } from "../saas-proxy/upstream-request.ts";

export interface JsonAnswer {
  readonly status: number;
  /** The parsed body, or undefined when it is not JSON (or over 16 KB). */
  readonly body: unknown;
}

/** A GET to SaaS through the hop's dispatcher, bounded like the token request. */
export async function getJson(
  dispatcher: Dispatcher,
  url: URL,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new SaasTimeout("headers")), timeoutMs);
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: { accept: "application/json", "user-agent": USER_AGENT, ...headers },
      signal: deadline.signal,
    });
    const bytes = await readAtMost(response.body, MAX_ANSWER_BYTES);
    let body: unknown;
    try {
      body = bytes === undefined ? undefined : JSON.parse(bytes.toString("utf8"));
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, body };
  } finally {
    clearTimeout(timer);
  }
}
