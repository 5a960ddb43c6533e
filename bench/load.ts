import autocannon from "autocannon";

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
}

/**
 * Token requests at a fixed concurrency for a fixed duration (autocannon), cycling through
 * `tokens` so that many users are served, as an instance's editors would be.
 */
export async function measureTokenRequests(options: {
  url: string;
  tokens: readonly string[];
  connections: number;
  durationSeconds: number;
}): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: "POST",
        path: "/api/v4/code_suggestions/tokens",
        setupRequest: (request) => {
          const token = options.tokens[next % options.tokens.length];
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
