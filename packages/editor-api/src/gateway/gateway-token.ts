import { BrokerError } from "@token-broker/errors";

/**
 * Where the token the AI gateway accepts for this instance comes from: the instance token
 * synced from SaaS (self-managed) or a self-issued one (SaaS). The routes only ask for it.
 */
export interface GatewayTokenSource {
  /** A token valid now; rejects when none can be had. */
  current(): Promise<string>;
}

/** The token for one gateway request: a failure to get one is a 503, its cause logged. */
export async function gatewayToken(source: GatewayTokenSource): Promise<string> {
  try {
    return await source.current();
  } catch (error) {
    // The source's own refusal (a catalogue error) stands; anything else is a 503.
    if (error instanceof BrokerError) throw error;
    throw new BrokerError("gateway_token_unavailable", "no token for the AI gateway", {
      cause: error,
    });
  }
}
