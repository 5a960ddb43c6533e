import type { ApplicationSettings } from "@token-broker/admin";

/** The gateway in use: the setting `ai_gateway_url`, else the AI_GATEWAY_URL variable's. */
export function gatewayBaseUrl(
  settings: Pick<ApplicationSettings, "aiGatewayUrl">,
  configured: string,
): string {
  return settings.aiGatewayUrl ?? configured;
}

/** A route below the gateway's base URL (which may carry a path). */
export function gatewayTarget(baseUrl: string, path: string): URL {
  const base = new URL(baseUrl);
  return new URL(`${base.pathname.replace(/\/+$/, "")}${path}`, base.origin);
}
