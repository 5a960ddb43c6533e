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
 * A statement prepared on a connection no longer fits: a migration changed the type of a
 * column it returns ("cached plan must not change result type") or the session lost it.
 * PostgreSQL refuses it before running it, and will on that connection every time.
 */
export function isStaleStatement(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === "26000" ||
    (code === "0A000" &&
      typeof message === "string" &&
      /cached plan must not change result type/i.test(message))
  );
}

/** Connections whose query wrapper is installed (once per connection). */
const watched = new WeakSet<pg.PoolClient>();
/** Connections that ran into a stale statement: closed instead of returned to the pool. */
const stale = new WeakSet<pg.PoolClient>();

function watchForStaleStatements(client: pg.PoolClient): pg.PoolClient {
  if (!watched.has(client)) {
    watched.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // biome-ignore lint/suspicious/noExplicitAny: pg's query() is heavily overloaded.
    (client as any).query = (...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (isStaleStatement(error)) stale.add(client);
        });
      }
      return result;
    };
  }
  // pg-pool gives the client a new release() at every checkout.
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => release(error || stale.has(client) || undefined);
  return client;
}

/**
 * A pool whose single statements (everything Prisma runs outside a transaction) are retried
 * once on a new connection if theirs was cut (docs/operations.md, Database outages) or held a stale
 * prepared statement. Statements inside
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
      // pg-pool closes the connection of a failed statement: a stale one is gone with it.
      if (!isRetryableTermination(error, config) && !isStaleStatement(error)) throw error;
      return this.queryOnNewConnection(config, values);
    });
  }

  /**
   * A transaction's connection that ran into a stale statement is closed when released
   * (otherwise the pool would hand it out again, and it would fail the same way each time).
   */
  // biome-ignore lint/suspicious/noExplicitAny: pg's connect() is overloaded.
  override connect(...args: any[]): any {
    if (typeof args[0] === "function") return super.connect(args[0]);
    return super.connect().then(watchForStaleStatements);
  }

  /**
   * The pool's other idle connections were most likely terminated with this one (a restart,
   * a failover, pg_terminate_backend for the database) and it would hand one out: the retry
   * opens a connection of its own.
   */
  private async queryOnNewConnection(config: unknown, values: unknown): Promise<unknown> {
    const client = new pg.Client(this.options);
    // A termination of this connection too reaches the statement, which fails (a 503); a
    // client without a listener would also throw it as an 'error' event, ending the process.
    client.on("error", () => {});
    try {
      await client.connect();
      return await client.query(config as pg.QueryConfig, values as unknown[]);
    } finally {
      // Ending a connection the server already closed has nothing left to fail on.
      await client.end().catch(() => {});
    }
  }
}
