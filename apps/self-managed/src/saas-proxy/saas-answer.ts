import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { firstHeader } from "@token-broker/policy";

/** The most of SaaS's answer that is read (docs/token-api.md, Proxying). */
export const MAX_ANSWER_BYTES = 16 * 1024;

/** The statuses relayed as SaaS answered them; everything else is a bad gateway. */
const RELAYED_REFUSALS = new Set([401, 403, 404, 429]);

const RELAYED_HEADERS = ["content-type", "cache-control", "retry-after"] as const;
/**
 * SaaS's RateLimit headers describe this instance's quota on SaaS: they replace the user's
 * own (this instance's limit) only when SaaS refused with a Retry-After, to explain it.
 */
const RATE_LIMIT_HEADERS = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] as const;

export interface RelayedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * SaaS's body, or undefined once it passes `limit` bytes: the rest is never read nor
 * buffered (the stream is destroyed), so a huge answer costs at most `limit`.
 */
export async function readAtMost(body: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

function isIssuedToken(body: Buffer): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return false;
  }
  const token = parsed as Record<string, unknown> | null;
  return (
    typeof token === "object" &&
    token !== null &&
    typeof token.access_token === "string" &&
    Number.isFinite(token.expires_in) &&
    Number.isFinite(token.created_at)
  );
}

/**
 * What of SaaS's answer reaches the client, or undefined when it must not (a bad gateway):
 * a 201 with a token, or one of GitLab's refusals; a 429 only with its Retry-After.
 */
export function relayable(
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer,
): RelayedAnswer | undefined {
  const issued = status === 201 && isIssuedToken(body);
  const refused = RELAYED_REFUSALS.has(status) && (status !== 429 || "retry-after" in headers);
  if (!issued && !refused) return undefined;
  const relayed: Record<string, string> = {};
  const names: readonly string[] =
    "retry-after" in headers ? [...RELAYED_HEADERS, ...RATE_LIMIT_HEADERS] : RELAYED_HEADERS;
  for (const name of names) {
    const value = firstHeader(headers[name]);
    if (value !== undefined) relayed[name] = value;
  }
  return { status, headers: relayed, body };
}
