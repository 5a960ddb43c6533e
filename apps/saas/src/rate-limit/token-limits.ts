import {
  type PrincipalLimit,
  type PrincipalLimitRule,
  type RateLimitConfig,
  USER_TOKENS_BUCKET,
} from "@token-broker/instance";
import { isProxiedRequest, proxyMarkers } from "@token-broker/policy";

/**
 * The requests a self-managed instance makes through its service account, counted together
 * per service account: legacy token requests it relays and instance tokens it asks for.
 */
export const INSTANCE_TOKENS_BUCKET = "tokens:instance";

/**
 * TOKENS_RATE_LIMIT_PER_INSTANCE, counted per authenticated service account. The instance's
 * X-Gitlab-Instance-Id is the client's to choose: it never picks the bucket (a new id per
 * request would be a new count, and a new key, each time).
 */
export function instanceTokensLimit(limits: RateLimitConfig): PrincipalLimit {
  return { bucket: INSTANCE_TOKENS_BUCKET, max: limits.perInstance };
}

/**
 * GitLab throttles its AI endpoints per user. SaaS also serves every self-managed instance
 * through one service account each: their relayed requests count per account instead, with
 * a limit sized for all of that instance's users.
 */
export function saasTokenLimit(limits: RateLimitConfig): PrincipalLimitRule {
  const perInstance = instanceTokensLimit(limits);
  const perUser = { bucket: USER_TOKENS_BUCKET, max: limits.perUser };
  return (request) => (isProxiedRequest(proxyMarkers(request.headers)) ? perInstance : perUser);
}
