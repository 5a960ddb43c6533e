import pg from "pg";

/** The channel the database's triggers notify on every change the caches depend on. */
export const CHANGES_CHANNEL = "broker_changes";

export interface NotificationHandlers {
  /** A change was committed; the payload is `table:key`. */
  onNotification(payload: string): void;
  /** Listening (again): anything may have changed while it was not. */
  onConnected(): void;
  /** Notifications may be missed from now until the next onConnected. */
  onDisconnected(error?: unknown): void;
}

export interface Subscription {
  /**
   * Resolves once every change committed before this call has been notified to the
   * handlers: a round trip on the listening connection, sent after the call (PostgreSQL
   * delivers pending notifications before it answers). Concurrent calls share round trips.
   * Rejects when the subscription is not connected.
   */
  barrier(): Promise<void>;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 15_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;
const MAX_RETRY_MS = 5_000;

/**
 * LISTEN on a connection of its own, kept alive: a heartbeat detects a dead connection (no
 * FIN on a broken network), and the subscription reconnects with backoff, telling the
 * handlers when notifications may have been missed.
 */
export async function listenOnPostgres(
  url: string,
  handlers: NotificationHandlers,
): Promise<Subscription> {
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const drop = (error?: unknown) => {
    if (client === undefined) return;
    const dropped = client;
    client = undefined;
    clearInterval(heartbeat);
    dropped.removeAllListeners("notification");
    dropped.end().catch(() => undefined);
    if (!closed) {
      handlers.onDisconnected(error);
      scheduleRetry();
    }
  };

  const scheduleRetry = () => {
    if (closed) return;
    retryTimer = setTimeout(() => void connect(), retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const connect = async (): Promise<void> => {
    const candidate = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      // How operators (and tests) recognise it in pg_stat_activity.
      application_name: "broker change feed",
    });
    candidate.on("error", (error) => {
      if (client === candidate) drop(error);
    });
    candidate.on("end", () => {
      if (client === candidate) drop();
    });
    candidate.on("notification", (message) => {
      if (message.channel === CHANGES_CHANNEL) handlers.onNotification(message.payload ?? "");
    });
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch {
      // Not reachable yet: caches stay off, and the subscription keeps trying.
      candidate.end().catch(() => undefined);
      if (!closed) scheduleRetry();
      return;
    }
    if (closed) {
      await candidate.end();
      return;
    }
    client = candidate;
    retryMs = 250;
    heartbeat = setInterval(() => {
      const timeout = new Promise((_, reject) => setTimeout(reject, HEARTBEAT_TIMEOUT_MS).unref());
      Promise.race([candidate.query("SELECT 1"), timeout]).catch((error) => {
        if (client === candidate) drop(error);
      });
    }, HEARTBEAT_MS);
    heartbeat.unref();
    handlers.onConnected();
  };

  // Callers wait for a round trip sent after they called. Those of one event-loop turn share
  // the next trip (sent once the turn's I/O is processed, and once the previous trip is back),
  // so that under load one trip serves many requests.
  let onTheWire = false;
  let waiting:
    | { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void }
    | undefined;

  const sendWaiting = () => {
    const batch = waiting;
    if (batch === undefined || onTheWire) return;
    waiting = undefined;
    const current = client;
    if (current === undefined) {
      batch.reject(new Error("not listening"));
      return;
    }
    onTheWire = true;
    // An empty statement: the cheapest round trip PostgreSQL answers (still after sending
    // every notification pending for this session).
    current.query(";").then(
      () => {
        onTheWire = false;
        batch.resolve();
        sendWaiting();
      },
      (error: unknown) => {
        onTheWire = false;
        batch.reject(error);
        if (client === current) drop(error);
        sendWaiting();
      },
    );
  };

  await connect();
  return {
    barrier() {
      if (waiting === undefined) {
        let resolve: () => void = () => {};
        let reject: (error: unknown) => void = () => {};
        const promise = new Promise<void>((onResolve, onReject) => {
          resolve = onResolve;
          reject = onReject;
        });
        waiting = { promise, resolve, reject };
        setImmediate(sendWaiting);
      }
      return waiting.promise;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
