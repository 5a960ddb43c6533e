// The subpath, not the package: the console builds this hop without the server's pieces.
import { createOutboundDispatcher } from "@token-broker/instance/outbound-dispatcher";
import type { Dispatcher } from "undici";
import type { SaasNetwork } from "./network-config.ts";

/** The one connection pool to SaaS, shared by the token hop and the health check. */
export function createSaasDispatcher(network: SaasNetwork, timeoutMs: number): Dispatcher {
  return createOutboundDispatcher(network, timeoutMs);
}
