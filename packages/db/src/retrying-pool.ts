import pg from "pg";

/**
 * The server said it ended the session (pg_terminate_backend, a restart, a failover):
 * `admin_shutdown`, `crash_shutdown`, `cannot_connect_now`. A statement answered so did not
 * commit.
 */
const SERVER_TERMINATED = new Set(["57P01", "57P02", "57P03"]);
/** pg's error when the socket closed without the server saying why. */
const CONNECTION_LOST = /connection terminated/i;
const READ_ONLY = /^\s*select\b/i;

function statementText(config: unknown): string {
  if (typeof config === "string") return config;
  const text = (config as { text?: unknown } | null)?.text;
  return typeof text === "string" ? text : "";
}

/**
 * Whether a statement that failed this way may run again on another connection without
 * running twice: the server reported the termination (the statement was aborted), or the
 * connection vanished under a read.
 */
export function isRetryableTermination(error: unknown, config: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && SERVER_TERMINATED.has(code)) return true;
  return (
    typeof message === "string" &&
    CONNECTION_LOST.test(message) &&
    READ_ONLY.test(statementText(config))
  );
}

/**
 * A pool whose single statements (everything Prisma runs outside a transaction) are retried
 * once, on a new connection, when theirs was terminated (operations.md §8). Statements inside
 * a transaction run on a client checked out with `connect()` and are not retried: the
 * transaction as a whole failed, and only its caller could run it again.
 */
export class RetryingPool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() is heavily overloaded.
  override query(...args: any[]): any {
    const [config, values, callback] = args;
    if (typeof values === "function" || typeof callback === "function") {
      return super.query(...(args as Parameters<pg.Pool["query"]>));
    }
    return super.query(config, values).catch((error: unknown) => {
      if (!isRetryableTermination(error, config)) throw error;
      return this.queryOnNewConnection(config, values);
    });
  }

  /**
   * The pool's other idle connections were most likely terminated with this one (a restart,
   * a failover, pg_terminate_backend for the database) and it would hand one out: the retry
   * opens a connection of its own.
   */
  private async queryOnNewConnection(config: unknown, values: unknown): Promise<unknown> {
    const client = new pg.Client(this.options);
    await client.connect();
    try {
      return await client.query(config as pg.QueryConfig, values as unknown[]);
    } finally {
      await client.end();
    }
  }
}
