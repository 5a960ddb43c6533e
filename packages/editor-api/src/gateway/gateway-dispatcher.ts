import { Agent } from "undici";

/**
 * A connection pool to the AI gateway: straight to it (no proxy: the gateway sits beside the
 * instance), the default CA roots, every wait bounded by `timeoutMs`. Direct access and the
 * health check's gateway probes reach the gateway through one of these.
 */
export function createGatewayDispatcher(timeoutMs: number): Agent {
  return new Agent({
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
