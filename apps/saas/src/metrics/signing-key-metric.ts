import { Gauge, type Registry } from "prom-client";

/** `signing_key_info{kid}`: the key that signs (replaces the previous one). */
export function signingKeyMetric(registry: Registry): (kid: string) => void {
  const gauge = new Gauge({
    name: "signing_key_info",
    help: "The key that signs tokens (value 1)",
    labelNames: ["kid"] as const,
    registers: [registry],
  });
  return (kid) => {
    gauge.reset();
    gauge.set({ kid }, 1);
  };
}
