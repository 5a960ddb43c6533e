export interface LoadOutcome {
  readonly issued: number;
  /** Every other outcome: a status other than 201, or a failed or timed-out request. */
  readonly failures: ReadonlyMap<string, number>;
  readonly failed: number;
  readonly seconds: number;
}

export interface TokenLoad {
  /** Tokens issued so far. */
  issued(): number;
  /** Stops sending, waits for the requests under way, and tells what happened. */
  stop(): Promise<LoadOutcome>;
}

const TOKENS_PATH = "/api/v4/code_suggestions/tokens";
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Constant token load: `connections` clients, each sending its next request as soon as the
 * previous one is answered, over kept-alive connections (fetch keeps them; as editors
 * behind a load balancer do). Bounded: it stops by itself after `maxSeconds` if nobody stops it first.
 */
export function startTokenLoad(options: {
  url: string;
  token: string;
  connections: number;
  maxSeconds: number;
}): TokenLoad {
  const started = Date.now();
  const deadline = started + options.maxSeconds * 1000;
  let stopped = false;
  let issued = 0;
  const failures = new Map<string, number>();
  const fail = (reason: string) => failures.set(reason, (failures.get(reason) ?? 0) + 1);

  const client = async () => {
    while (!stopped && Date.now() < deadline) {
      try {
        const response = await fetch(`${options.url}${TOKENS_PATH}`, {
          method: "POST",
          headers: { authorization: `Bearer ${options.token}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.text();
        if (response.status === 201) issued += 1;
        else fail(`${response.status} ${body.slice(0, 120)}`);
      } catch (error) {
        fail(`request failed: ${error instanceof Error ? String(error.cause ?? error) : error}`);
      }
    }
  };
  const clients = Array.from({ length: options.connections }, client);

  return {
    issued: () => issued,
    async stop() {
      stopped = true;
      await Promise.all(clients);
      const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
      return { issued, failures, failed, seconds: (Date.now() - started) / 1000 };
    },
  };
}
