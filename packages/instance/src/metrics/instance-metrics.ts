import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export type CacheResult = "hit" | "miss";
/** Told of every lookup of one cache. */
export type CacheLookupRecorder = (result: CacheResult) => void;

/** How a token request ended: issued, refused (and why), limited, or SaaS failed. */
export type TokenOutcome = "issued" | "rate_limited" | "upstream_error" | (string & {});

/**
 * The metrics of one app instance, in a registry of its own (never prom-client's global
 * one), so that several apps in one process (tests, replicas) keep apart. Every label value
 * comes from a closed set: no ids, tokens or URLs. An app registers its own metrics (SaaS's
 * signing key, self-managed's SaaS requests) in the same `registry`.
 */
export function createInstanceMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route template and status",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const httpRequestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route template",
    labelNames: ["method", "route"] as const,
    registers,
  });
  const tokens = new Counter({
    name: "code_suggestions_tokens_total",
    help: "Code Suggestions token requests by outcome: issued, rate_limited, upstream_error or the refusal reason",
    labelNames: ["outcome"] as const,
    registers,
  });
  // Present from the start, so that rates over them exist before the first event.
  for (const outcome of ["issued", "rate_limited", "upstream_error"]) tokens.inc({ outcome }, 0);
  const cacheRequests = new Counter({
    name: "cache_requests_total",
    help: "In-memory cache lookups, by cache and result (a miss reads the database)",
    labelNames: ["cache", "result"] as const,
    registers,
  });
  const rateLimitStoreErrors = new Counter({
    name: "rate_limit_store_errors_total",
    help: "Rate-limit counter updates that failed (the request was served without a limit)",
    registers,
  });
  rateLimitStoreErrors.inc(0);

  return {
    registry,
    httpRequests,
    httpRequestDuration,
    rateLimitStoreErrors,
    countToken(outcome: TokenOutcome): void {
      tokens.inc({ outcome });
    },
    cacheLookups(cache: string): CacheLookupRecorder {
      const hit = cacheRequests.labels({ cache, result: "hit" });
      const miss = cacheRequests.labels({ cache, result: "miss" });
      return (result) => (result === "hit" ? hit : miss).inc();
    },
  };
}

export type InstanceMetrics = ReturnType<typeof createInstanceMetrics>;
