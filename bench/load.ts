import autocannon from "autocannon";

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
}

const TOKENS_PATH = "/api/v4/code_suggestions/tokens";

/**
 * Token requests at a fixed concurrency (autocannon), cycling through `tokens` so that many
 * users are served, as an instance's editors would be: for a fixed duration, or for exactly
 * `amount` requests.
 */
export async function measureTokenRequests(options: {
  url: string;
  tokens: readonly string[];
  connections: number;
  durationSeconds?: number;
  amount?: number;
}): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined
      ? { duration: options.durationSeconds ?? 10 }
      : { amount: options.amount }),
    requests: [
      {
        method: "POST",
        path: TOKENS_PATH,
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

/** The median run of several (by rate), with the failures of them all. */
export function median<Result extends LoadResult>(runs: readonly Result[]): Result {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error("no runs");
  return {
    ...middle,
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}
