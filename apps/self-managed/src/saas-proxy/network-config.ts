import { type Environment, type OutboundNetwork, readOutboundNetwork } from "@token-broker/config";

/** How the SaaS hop leaves the network (docs/operations.md, Egress proxy and CA). */
export type SaasNetwork = OutboundNetwork;

/** The proxy and CA variables, validated; `saasUrl` decides which proxy variable applies. */
export function readSaasNetwork(env: Environment, saasUrl: string): SaasNetwork {
  return readOutboundNetwork(env, saasUrl, "SAAS_CA_FILE");
}
