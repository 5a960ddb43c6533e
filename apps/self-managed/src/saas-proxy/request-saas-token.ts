import { postToSaas, type SaasExchange, type SaasFailure, type SaasPost } from "./post-to-saas.ts";
import { type RelayedAnswer, relayable } from "./saas-answer.ts";

export { type SaasFailure, saasTarget } from "./post-to-saas.ts";

export const TOKENS_PATH = "/api/v4/code_suggestions/tokens";

/**
 * One token request to SaaS and what came of it: `relayed` (SaaS's token or refusal, with
 * its status) or a failure. The one place where the upstream status and outcome are known.
 */
export type SaasOutcome = (
  | { readonly outcome: "relayed"; readonly answer: RelayedAnswer }
  | SaasFailure
) &
  Pick<SaasExchange, "upstreamStatus" | "saasRequestId">;

export type SaasTokenRequest = SaasPost;

/** `POST {SAAS_URL}/api/v4/code_suggestions/tokens`, SaaS's answer checked for relaying. */
export async function requestSaasToken(request: SaasTokenRequest): Promise<SaasOutcome> {
  const exchange = await postToSaas(request, TOKENS_PATH);
  if (exchange.outcome !== "answered") return exchange;
  const { status, headers, body, upstreamStatus, saasRequestId } = exchange;
  const ids = { upstreamStatus, ...(saasRequestId === undefined ? {} : { saasRequestId }) };
  const answer = relayable(status, headers, body);
  if (answer === undefined) {
    return {
      outcome: "invalid_answer",
      reason: `SaaS answered ${status} without a token or a GitLab refusal`,
      ...ids,
    };
  }
  return { outcome: "relayed", answer, ...ids };
}
