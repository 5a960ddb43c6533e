import { Histogram, type Registry } from "prom-client";
import type { ModelOutcome } from "./model-client.ts";

/**
 * How model requests end and how long they take (until the whole answer, streamed or not).
 * Labels from closed sets only: never a model's message, a prompt or a URL.
 */
export function createModelMetrics(registry: Registry) {
  const duration = new Histogram({
    name: "model_request_duration_seconds",
    help: "Time of a model server request until its whole answer, by outcome (ok, unreachable, timeout, invalid, cancelled) and whether it streamed",
    labelNames: ["outcome", "stream"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (outcome: ModelOutcome, stream: boolean, seconds: number) =>
    duration.observe({ outcome, stream: String(stream) }, seconds);
}

export type RecordModelRequest = ReturnType<typeof createModelMetrics>;
