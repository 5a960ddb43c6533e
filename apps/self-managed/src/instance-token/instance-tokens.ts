import { BrokerError } from "@token-broker/errors";
import { type ChangeFeed, throttledWarning } from "@token-broker/instance";
import type { FastifyBaseLogger } from "fastify";
import type { InstanceTokenMetrics } from "./instance-token-metrics.ts";
import type {
  InstanceTokenRefresher,
  RefreshFailure,
  RefreshResult,
} from "./instance-token-refresher.ts";
import { type HeldToken, isValid, refreshDueAt, type StoredState } from "./instance-token-store.ts";

/** What the editor API sends to the AI gateway. */
export interface CurrentInstanceToken {
  readonly token: string;
  /** `exp`, Unix seconds. */
  readonly expiresAt: number;
}

/** `app.instanceToken`: the instance token this replica holds, shared by every replica. */
export interface InstanceTokens {
  /**
   * The held token while it is valid, from memory (never waiting on SaaS); when none is,
   * one fetched now. Throws the catalogue's `instance_token_unavailable` (503) when none can
   * be had (SaaS unreachable or refusing, or no ai_access_token stored).
   */
  current(): Promise<CurrentInstanceToken>;
  /** The token as this replica holds it (undefined: none), for metrics and the health check. */
  held(): HeldToken | undefined;
  close(): void;
}

export interface InstanceTokensOptions {
  readonly refresher: InstanceTokenRefresher;
  readonly feed: ChangeFeed;
  readonly log: FastifyBaseLogger;
  readonly metrics?: () => InstanceTokenMetrics | undefined;
}

/** After a failed refresh the next one waits this share of the token's life (bounded). */
function retryDelayMs(held: HeldToken | undefined): number {
  const life = held ? held.expiresAt.getTime() - held.issuedAt.getTime() : 0;
  return Math.min(30_000, Math.max(1_000, life / 20));
}

function view(held: HeldToken): CurrentInstanceToken {
  return { token: held.token, expiresAt: Math.floor(held.expiresAt.getTime() / 1000) };
}

/**
 * The instance token of one replica: read from the database at start and whenever the change
 * feed says the row changed (another replica or the console stored a new one), refreshed by
 * a timer at half its life and at once when ai_access_token changes, one replica at a time
 * (the refresher's claim). Requests read memory only while the token is valid.
 */
export async function startInstanceTokens(options: InstanceTokensOptions): Promise<InstanceTokens> {
  const { refresher, feed, log } = options;
  const metrics = options.metrics ?? (() => undefined);
  let held: HeldToken | undefined;
  // This replica's and the stored last failure: no attempt before then (every replica
  // reads the same row, so an outage is not retried by each of them in turn).
  let notBefore = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let reads = 0;
  let background: Promise<void> | undefined;
  let again = false;
  // Failures stored before the settings last changed say nothing of the new settings.
  let settingsChangedAt = 0;
  let obtaining: Promise<HeldToken> | undefined;
  const waiters = new Set<() => void>();

  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    // Lazy: nothing is fetched for an instance that never asked for a token.
    if (closed || held === undefined) return;
    const at = Math.max(refreshDueAt(held).getTime(), notBefore);
    timer = setTimeout(refreshInBackground, Math.max(0, at - Date.now()));
    timer.unref();
  };

  const reload = async (): Promise<StoredState> => {
    reads += 1;
    const read = reads;
    const state = await refresher.read();
    // A slower read never replaces what a later one found.
    if (read !== reads) return state;
    held = state.held;
    const failedAt = state.lastFailure?.at.getTime() ?? 0;
    if (failedAt > settingsChangedAt) {
      notBefore = Math.max(notBefore, failedAt + retryDelayMs(held));
    }
    schedule();
    return state;
  };
  const reloadQuietly = () =>
    reload().catch((error) => log.warn({ err: error }, "could not read the instance token"));

  const attempt = async (): Promise<RefreshResult> => {
    const result = await refresher.refresh({ force: false });
    if (result.outcome === "not_claimed") {
      // Another replica's claim, or nothing to do: its stored token (a notification) or its
      // claim lapsing decides what comes next, not a retry at once.
      notBefore = Date.now() + retryDelayMs(held);
      schedule();
      return result;
    }
    metrics()?.countRefresh(result.outcome);
    if (result.outcome === "issued") {
      held = result.held;
      notBefore = 0;
      log.info(
        { expiresAt: result.held.expiresAt.toISOString() },
        "instance token fetched from SaaS",
      );
    } else {
      notBefore = Date.now() + retryDelayMs(held);
      logFailure(result);
    }
    schedule();
    return result;
  };

  const logFailure = (failure: RefreshFailure) => {
    log.warn(
      {
        outcome: failure.outcome,
        upstreamStatus: failure.upstreamStatus,
        saasRequestId: failure.saasRequestId,
        held: held ? { expiresAt: held.expiresAt.toISOString() } : null,
      },
      `instance token not refreshed: ${failure.message}`,
    );
  };

  /** One at a time; a request for another while one runs (a new ai_access_token) runs after it. */
  function refreshInBackground(): void {
    if (background !== undefined) {
      again = true;
      return;
    }
    background = attempt()
      .then(
        () => {},
        (error: unknown) => {
          notBefore = Date.now() + retryDelayMs(held);
          log.warn({ err: error }, "instance token refresh failed");
          schedule();
        },
      )
      .finally(() => {
        background = undefined;
        if (again && !closed) {
          again = false;
          refreshInBackground();
        }
      });
  }

  /** Resolves at the next change of the stored token, or after `ms`. */
  const changeOrTimeout = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        waiters.delete(done);
        resolve();
      };
      const timeout = setTimeout(done, ms);
      timeout.unref();
      waiters.add(done);
    });

  const unavailable = (message: string) =>
    new BrokerError("instance_token_unavailable", `no instance token: ${message}`);

  /** No valid token in memory: the stored one, or one fetched now (requests share this). */
  const obtain = async (): Promise<HeldToken> => {
    const stored = await reload();
    if (isValid(stored.held, Date.now())) return stored.held;
    if (Date.now() < notBefore) {
      throw unavailable("the last attempt to fetch one failed; the next is due shortly");
    }
    const startedAt = Date.now();
    let result = await attempt();
    // Another replica is fetching one: wait until it is stored, that replica's attempt
    // failed, or its claim lapsed (every change of the row wakes this, its claim too).
    const deadline = startedAt + refresher.leaseMs;
    while (result.outcome === "not_claimed" && Date.now() < deadline) {
      // Listening before reading: a token stored meanwhile is either read or heard of.
      const changed = changeOrTimeout(deadline - Date.now());
      const after = await reload();
      if (isValid(after.held, Date.now())) return after.held;
      const failure = after.lastFailure;
      if (failure !== undefined && failure.at.getTime() >= startedAt) {
        throw unavailable(`another replica's attempt to fetch one failed (${failure.reason})`);
      }
      await changed;
    }
    if (result.outcome === "not_claimed") result = await attempt();
    if (result.outcome === "issued") return result.held;
    if (result.outcome === "not_claimed") throw unavailable("another replica is fetching one");
    throw unavailable(result.message);
  };

  feed.on("instance_tokens", () => {
    for (const wake of [...waiters]) wake();
    void reloadQuietly();
  });
  feed.onReset(() => void reloadQuietly());
  // A new ai_access_token fetches at once (the claim lets one replica do it, and only when
  // the stored token was fetched with another one); any failure waits no longer.
  feed.on("application_settings", () => {
    settingsChangedAt = Date.now();
    notBefore = 0;
    if (held !== undefined) refreshInBackground();
  });

  await reload();
  // The stored token may have been fetched with an ai_access_token changed while no replica
  // ran: the claim refreshes it only then (or past half-life), so this costs one UPDATE.
  if (held !== undefined) refreshInBackground();

  /**
   * Without change notifications (the embedded database, or their connection lost) nothing
   * says when another replica stored a token or ai_access_token changed: look in the
   * database instead. A failure to look keeps what is held.
   */
  const warnUnread = throttledWarning(log, "could not read the instance token", 60_000);
  const reconcile = async () => {
    try {
      const [stored, digest] = await Promise.all([reload(), refresher.serviceTokenDigest()]);
      if (stored.held !== undefined && stored.held.serviceTokenDigest !== digest) {
        refreshInBackground();
      }
    } catch (error) {
      warnUnread(error);
    }
  };

  return {
    async current() {
      if (!(await feed.fresh())) await reconcile();
      if (isValid(held, Date.now())) return view(held);
      obtaining ??= obtain().finally(() => {
        obtaining = undefined;
      });
      return view(await obtaining);
    },
    held: () => held,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const wake of [...waiters]) wake();
    },
  };
}
