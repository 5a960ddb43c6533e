import { BrokerError } from "@token-broker/errors";
import type { InstanceTokenRefresher } from "./instance-token-refresher.ts";
import { isValid } from "./instance-token-store.ts";
import type { CurrentInstanceToken } from "./instance-tokens.ts";

/**
 * The stored token, or one fetched now: what a process without replicas' memory (the
 * console's health check) calls `current()`. Throws like InstanceTokens.current().
 */
export async function storedOrFetched(
  refresher: InstanceTokenRefresher,
): Promise<CurrentInstanceToken> {
  const view = (expiresAt: Date, token: string) => ({
    token,
    expiresAt: Math.floor(expiresAt.getTime() / 1000),
  });
  const { held } = await refresher.read();
  if (isValid(held, Date.now())) return view(held.expiresAt, held.token);
  const result = await refresher.refresh({ force: false });
  if (result.outcome === "issued") return view(result.held.expiresAt, result.held.token);
  throw new BrokerError(
    "instance_token_unavailable",
    `no instance token: ${result.outcome === "not_claimed" ? "a replica is fetching one now" : result.message}`,
  );
}
