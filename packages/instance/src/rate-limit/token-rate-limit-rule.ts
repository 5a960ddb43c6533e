import { isProxiedRequest } from "@token-broker/policy";
import type { FastifyRequest } from "fastify";
import type { ServiceName } from "../config/instance-config.ts";
import type { RateLimitConfig } from "../config/operations-config.ts";

/** Which counter a token request counts against, and its limit per minute (0: no limit). */
export interface RateLimitRule {
  readonly key: string;
  readonly max: number;
}

// The instance id is the client's to choose (the service account's holder): bound the key.
const MAX_INSTANCE_ID_LENGTH = 64;

function header(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

/**
 * GitLab throttles its AI endpoints per user. SaaS also serves every self-managed instance
 * through one service account each: their relayed requests count per instance instead, with
 * a limit sized for all of that instance's users. Runs after authentication.
 */
export function tokenRateLimitRule(service: ServiceName, limits: RateLimitConfig) {
  return (request: FastifyRequest): RateLimitRule => {
    const userId = request.principal.user.id;
    const proxied =
      service === "saas" &&
      isProxiedRequest({
        userAgent: request.headers["user-agent"],
        realm: header(request.headers["x-gitlab-realm"]),
      });
    if (!proxied) return { key: `tokens:user:${userId}`, max: limits.perUser };
    const instanceId = header(request.headers["x-gitlab-instance-id"]).slice(
      0,
      MAX_INSTANCE_ID_LENGTH,
    );
    return { key: `tokens:instance:${userId}:${instanceId}`, max: limits.perInstance };
  };
}
