import { Histogram, type Registry } from "prom-client";

/** `saas_request_duration_seconds{status}`: how long SaaS took to answer (its headers). */
export function saasRequestMetric(registry: Registry) {
  return new Histogram({
    name: "saas_request_duration_seconds",
    help: "Time until SaaS's response headers, by SaaS's status (error: no answer)",
    labelNames: ["status"] as const,
    registers: [registry],
  });
}
