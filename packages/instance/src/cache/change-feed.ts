import { requestContext } from "@fastify/request-context";
import {
  type Database,
  type NotifiedTable,
  parseChange,
  type Subscription,
} from "@token-broker/db";
import type { FastifyBaseLogger } from "fastify";

declare module "@fastify/request-context" {
  interface RequestContextData {
    /** The request's answer from ChangeFeed.fresh, shared by all the cache reads it makes. */
    cachesFresh: Promise<boolean>;
  }
}

/**
 * What the caches of one process learn from the database's change notifications: which rows
 * changed, and whether they may serve at all (only while notifications cannot be missed).
 */
export interface ChangeFeed {
  /** Increases with every change seen and every loss of the subscription. */
  readonly generation: number;
  /**
   * Called with the key of every change to `table` (`users:12` → "12"; what the key is, per
   * table: NOTIFIED_TABLES in `@token-broker/db`).
   */
  on(table: NotifiedTable, listener: (key: string) => void): void;
  /** Called when anything may have changed unseen: drop everything. */
  onReset(listener: () => void): void;
  /**
   * Whether caches may answer the current request: true once every change committed before
   * the request's first call has been applied to them (the "next request" guarantee, on every
   * replica). One round trip at most per request (the later calls of a request share the
   * first one's answer; requests of one event-loop turn share the round trip); outside a
   * request, every call asks anew.
   */
  fresh(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startChangeFeed(
  database: Database,
  log: FastifyBaseLogger,
): Promise<ChangeFeed> {
  const listeners = new Map<NotifiedTable, ((key: string) => void)[]>();
  const resets: (() => void)[] = [];
  let generation = 0;
  let live = false;

  const reset = () => {
    generation += 1;
    for (const listener of resets) listener();
  };

  let subscription: Subscription | undefined;
  const barrier = async () => {
    if (!live || subscription === undefined) return false;
    try {
      await subscription.barrier();
      return live;
    } catch {
      return false;
    }
  };

  if (database.listenToChanges) {
    subscription = await database.listenToChanges({
      onNotification(payload) {
        generation += 1;
        const change = parseChange(payload);
        if (change === undefined) return;
        for (const listener of listeners.get(change.table) ?? []) listener(change.key);
      },
      onConnected() {
        reset();
        live = true;
        log.info("caches enabled: listening to database changes");
      },
      onDisconnected(error) {
        live = false;
        reset();
        log.warn(
          { err: error },
          "caches disabled until the database change notifications are back",
        );
      },
    });
  }

  return {
    get generation() {
      return generation;
    },
    on(table, listener) {
      listeners.set(table, [...(listeners.get(table) ?? []), listener]);
    },
    onReset(listener) {
      resets.push(listener);
    },
    fresh() {
      let answer = requestContext.get("cachesFresh");
      if (answer === undefined) {
        answer = barrier();
        requestContext.set("cachesFresh", answer);
      }
      return answer;
    },
    async close() {
      live = false;
      await subscription?.close();
    },
  };
}
