import type { PrismaClient } from "@token-broker/db";
import type { ChangeFeed } from "@token-broker/instance";
import type { SecretBox } from "@token-broker/secrets";
import type { FastifyBaseLogger } from "fastify";
import { importSigningKey, type KeyRing } from "./key-ring.ts";
import {
  buildKeyRing,
  type ConfiguredKey,
  ensureActiveKey,
  readStoredKeys,
  type StoredKeyRow,
} from "./stored-keys.ts";

/** The keys of one process, following what the console changes in the database. */
export interface LiveKeyRing {
  /** The keys in memory, without I/O (e.g. `current().signing.kid` for a metric). */
  current(): KeyRing;
  /**
   * The keys for a request. When the change feed is fresh for it (every change committed
   * before the request was notified, see ChangeFeed.fresh) they come from memory once any
   * reload a notification started is done; otherwise they are checked against the database.
   */
  get(): Promise<KeyRing>;
}

export interface LiveKeyRingOptions {
  readonly prisma: PrismaClient;
  readonly secretBox: SecretBox;
  readonly feed: ChangeFeed;
  readonly log: FastifyBaseLogger;
  /**
   * The database is this process's alone (embedded: its data directory is locked), so no
   * console changes the keys while it runs, and memory is always current.
   */
  readonly exclusive: boolean;
  /** JWT_SIGNING_KEY (PKCS#8 PEM): signs instead of the active stored key, which stays published. */
  readonly configuredPem: string | undefined;
  /** Told the kid that signs, at start and whenever it changes (the signing_key_info metric). */
  readonly onSigningKey?: (kid: string) => void;
}

/** What decides the ring: rows with the same kids in the same states give the same keys. */
function fingerprintOf(rows: readonly StoredKeyRow[]): string {
  return rows.map((row) => `${row.kid}:${row.state}`).join(",");
}

/**
 * Reads, decrypts and imports the keys at start, and again (off the request path) whenever
 * the database notifies a change to them or notifications may have been missed. Signing
 * then costs no database read; a request that cannot trust the notifications reads the
 * key states (one query) and imports keys only when they changed.
 */
export async function startKeyRing(options: LiveKeyRingOptions): Promise<LiveKeyRing> {
  const { prisma, secretBox, feed, log, configuredPem, exclusive } = options;
  const onSigningKey = options.onSigningKey ?? (() => {});
  if (configuredPem === undefined) await ensureActiveKey(prisma, secretBox);
  const configured: ConfiguredKey | undefined =
    configuredPem === undefined ? undefined : await importSigningKey(configuredPem);

  // Reads are numbered so that a slow read never replaces what a later one applied.
  let reads = 0;
  let failedRead = 0;
  const firstRows = await readStoredKeys(prisma);
  let applied = {
    read: 0,
    fingerprint: fingerprintOf(firstRows),
    ring: await buildKeyRing(firstRows, secretBox, configured),
  };
  onSigningKey(applied.ring.signing.kid);

  const refresh = async (): Promise<KeyRing> => {
    reads += 1;
    const read = reads;
    try {
      const rows = await readStoredKeys(prisma);
      const fingerprint = fingerprintOf(rows);
      const ring =
        fingerprint === applied.fingerprint
          ? applied.ring
          : await buildKeyRing(rows, secretBox, configured);
      if (read > applied.read) {
        if (ring !== applied.ring) {
          log.info(
            { kid: ring.signing.kid, published: ring.published.map((key) => key.kid) },
            "signing keys reloaded",
          );
          onSigningKey(ring.signing.kid);
        }
        applied = { read, fingerprint, ring };
      }
      return ring;
    } catch (error) {
      failedRead = Math.max(failedRead, read);
      throw error;
    }
  };

  // The reload a notification started: a request that passed the freshness barrier after
  // the notification waits for it, and so signs and publishes what the change made.
  let reloading: Promise<void> = Promise.resolve();
  const reloadInBackground = () => {
    reloading = refresh().then(
      () => undefined,
      (error: unknown) => {
        log.warn({ err: error }, "signing keys could not be reloaded; requests will read them");
      },
    );
  };
  feed.on("signing_keys", reloadInBackground);
  feed.onReset(reloadInBackground);

  return {
    current: () => applied.ring,
    async get() {
      const fresh = await feed.fresh();
      await reloading;
      if ((fresh || exclusive) && failedRead <= applied.read) return applied.ring;
      return refresh();
    },
  };
}
