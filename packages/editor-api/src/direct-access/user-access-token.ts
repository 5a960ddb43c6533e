import { BrokerError } from "@token-broker/errors";
import type { Dispatcher } from "undici";
import { type GatewayIdentity, identityHeaders } from "../gateway/gateway-identity.ts";
import { gatewayTarget } from "../gateway/gateway-target.ts";

export const USER_ACCESS_TOKEN_PATH = "/v1/code/user_access_token";
/** A JWT of the gateway's, with room to spare; its answer is read up to this much. */
const MAX_ANSWER_BYTES = 16 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_EXPIRES_AT = 2 ** 32;

export interface UserAccessToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface UserAccessTokenRequest {
  readonly dispatcher: Dispatcher;
  readonly gatewayUrl: string;
  readonly instanceToken: string;
  readonly identity: GatewayIdentity;
  readonly requestId: string;
  readonly timeoutMs: number;
}

function failed(reason: string, cause?: unknown): BrokerError {
  return new BrokerError("token_creation_failed", reason, cause === undefined ? {} : { cause });
}

/** The answer's bytes, or undefined when it is longer than `limit`. */
async function readAtMost(body: AsyncIterable<Buffer>, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.length;
    if (length > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `{token, expires_at}` as the gateway documents it, or undefined for anything else. */
function parseAnswer(text: string): UserAccessToken | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { token, expires_at: expiresAt } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof token !== "string" || token.length > MAX_ANSWER_BYTES || !JWT_SHAPE.test(token)) {
    return undefined;
  }
  if (
    !Number.isInteger(expiresAt) ||
    (expiresAt as number) <= 0 ||
    (expiresAt as number) > MAX_EXPIRES_AT
  ) {
    return undefined;
  }
  return { token, expiresAt: expiresAt as number };
}

/**
 * A user token for direct access, from the gateway's `POST /v1/code/user_access_token` with
 * this instance's token and the user's identity. Any failure (unreachable, slow, refused, an
 * answer that is not a token) is `token_creation_failed`.
 */
export async function requestUserAccessToken(
  request: UserAccessTokenRequest,
): Promise<UserAccessToken> {
  const target = gatewayTarget(request.gatewayUrl, USER_ACCESS_TOKEN_PATH);
  let response: Dispatcher.ResponseData;
  try {
    response = await request.dispatcher.request({
      origin: target.origin,
      path: target.pathname,
      method: "POST",
      headers: {
        authorization: `Bearer ${request.instanceToken}`,
        "content-type": "application/json",
        accept: "application/json",
        ...identityHeaders(request.identity),
        "x-request-id": request.requestId,
      },
      body: "{}",
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    throw failed("the AI gateway is unreachable or did not answer in time", error);
  }
  let text: string | undefined;
  try {
    text = await readAtMost(response.body, MAX_ANSWER_BYTES);
  } catch (error) {
    throw failed("the AI gateway's answer did not arrive", error);
  }
  if (response.statusCode !== 200) {
    throw failed(`the AI gateway answered ${response.statusCode}`);
  }
  const answer = text === undefined ? undefined : parseAnswer(text);
  if (answer === undefined) throw failed("the AI gateway's answer is not a user token");
  return answer;
}
