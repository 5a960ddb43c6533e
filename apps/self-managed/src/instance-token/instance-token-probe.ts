import { BrokerError } from "@token-broker/errors";
import type { Probe } from "../health-check/report.ts";
import type { CurrentInstanceToken } from "./instance-tokens.ts";

/** "45m", "1h 5m", "12s": how long is left, for people. */
function remaining(seconds: number): string {
  const rest = Math.max(0, Math.round(seconds));
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest % 3600) / 60);
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return minutes > 0 ? `${minutes}m` : `${rest}s`;
}

/**
 * `instance_token`: whether a valid instance token is held (fetching one when none is, as a
 * completion would), and until when. The token itself is never shown.
 */
export async function probeInstanceToken(
  current: () => Promise<CurrentInstanceToken>,
  now: Date,
): Promise<Probe> {
  const name = "instance_token";
  try {
    const { expiresAt } = await current();
    const at = new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
      name,
      success: true,
      message: `an instance token is held; it expires at ${at} (in ${remaining(expiresAt - now.getTime() / 1000)}) and is refreshed from half its life`,
    };
  } catch (error) {
    if (!(error instanceof BrokerError) || error.code !== "instance_token_unavailable") throw error;
    return { name, success: false, message: error.message };
  }
}
