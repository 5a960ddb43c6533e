import { editorRequest } from "./completion-requests.ts";

const COMPLETIONS_PATH = "/api/v4/code_suggestions/completions";
/** Self-managed fetches its instance token from SaaS after it starts: this long at most. */
const READY_TIMEOUT_MS = 20_000;

/**
 * Whether self-managed answers completions (its editor API may not be there yet), waiting
 * for its first completion while it gets its instance token: a 404 means no route; any
 * other answer but 200 once time is up is a failure.
 */
export async function completionsRoute(
  selfManagedUrl: string,
  userToken: string,
): Promise<"available" | { notMeasured: string }> {
  const request = editorRequest(COMPLETIONS_PATH, false, () => ({}));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const response = await fetch(`${selfManagedUrl}${COMPLETIONS_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${userToken}`, "content-type": "application/json" },
      body: request.body,
    });
    const body = await response.text();
    if (response.status === 404)
      return { notMeasured: `self-managed has no ${COMPLETIONS_PATH} (answered 404)` };
    if (response.status === 200 && request.complete(body)) return "available";
    if (Date.now() > deadline)
      throw new Error(
        `self-managed answered a completion ${response.status}: ${body.slice(0, 200)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
