/** Headers every HTTP server sets itself, per response or per connection. */
const TRANSPORT_HEADERS = new Set(["date", "content-length", "connection", "keep-alive"]);

/**
 * One token answer of SaaS, as H's server gives it back: the body, and every header
 * SaaS set (content type, cache control, request id, rate-limit headers).
 */
export async function sampleAnswer(
  saasUrl: string,
  token: string,
): Promise<{ body: unknown; headers: Record<string, string> }> {
  const response = await fetch(`${saasUrl}/api/v4/code_suggestions/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 201) throw new Error(`SaaS answered ${response.status}`);
  const headers = Object.fromEntries(
    [...response.headers.entries()].filter(([name]) => !TRANSPORT_HEADERS.has(name)),
  );
  return { body: await response.json(), headers };
}
