import type { Prisma, PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { formatDuration } from "./duration.ts";
import { KEY_CHANGE_LOCK, storeNewKey } from "./stored-keys.ts";
import { TOKEN_LIFETIME_SECONDS } from "./token-signer.ts";

/** A step of the rotation that is refused; the message says why and what to do. */
export class KeyRotationRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyRotationRefusal";
  }
}

export interface ListedKey {
  readonly kid: string;
  readonly state: "active" | "published";
  readonly createdAt: Date;
  readonly publishedAt: Date;
}

export type ChangeOutcome = "changed" | "unchanged";

/** A time for operators: ISO 8601 in UTC, to the second. */
export function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The keys verifiers can fetch, oldest first (retired keys are out of the key set). */
export async function listKeys(prisma: PrismaClient): Promise<ListedKey[]> {
  const rows = await prisma.signingKey.findMany({
    where: { state: { in: ["active", "published"] } },
    select: { kid: true, state: true, createdAt: true, publishedAt: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({ ...row, state: row.state === "active" ? "active" : "published" }));
}

/** A new RSA key, stored encrypted and published from now on, not signing. Returns its kid. */
export function createKey(prisma: PrismaClient, secretBox: SecretBox): Promise<string> {
  return storeNewKey(prisma, secretBox, "published");
}

interface Options {
  readonly force: boolean;
}

/** Changes to the key set run one at a time, so that at most one key is ever active. */
function underLock<T>(
  prisma: PrismaClient,
  change: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_CHANGE_LOCK})`;
    return change(tx);
  });
}

async function findKey(tx: Prisma.TransactionClient, kid: string) {
  const key = await tx.signingKey.findUnique({ where: { kid } });
  if (key === null) throw new KeyRotationRefusal(`no signing key has the kid ${kid}`);
  return key;
}

/**
 * Makes the key the signing key; the key that signed until now stays published. Refused
 * until the key has been published for `leadSeconds` (verifiers cache the key set), unless
 * forced.
 */
export async function activateKey(
  prisma: PrismaClient,
  kid: string,
  options: Options & { readonly leadSeconds: number },
): Promise<ChangeOutcome> {
  const now = new Date();
  return underLock(prisma, async (tx) => {
    const key = await findKey(tx, kid);
    if (key.state === "active") return "unchanged";
    if (key.state === "retired") {
      throw new KeyRotationRefusal(`${kid} is retired; create a new key instead`);
    }
    const allowedAt = new Date(key.publishedAt.getTime() + options.leadSeconds * 1000);
    if (!options.force && now < allowedAt) {
      throw new KeyRotationRefusal(
        `${kid} was published at ${formatTime(key.publishedAt)}; verifiers may not have it yet. ` +
          `It can be activated from ${formatTime(allowedAt)} ` +
          `(SIGNING_KEY_PUBLISH_LEAD: ${formatDuration(options.leadSeconds)}), ` +
          "or now with --force",
      );
    }
    await tx.signingKey.updateMany({
      where: { state: "active" },
      data: { state: "published", deactivatedAt: now },
    });
    await tx.signingKey.update({
      where: { kid },
      data: { state: "active", activatedAt: now, deactivatedAt: null },
    });
    return "changed";
  });
}

/**
 * Takes the key out of the key set. Never the active key; and, unless forced, not before
 * the tokens it signed have expired (the longest token lifetime after it stopped signing:
 * an instance token may live longer than the legacy hour, see INSTANCE_TOKEN_TTL).
 */
export async function retireKey(
  prisma: PrismaClient,
  kid: string,
  options: Options & { readonly instanceTokenTtlSeconds: number },
): Promise<ChangeOutcome> {
  const longestLifetime = Math.max(TOKEN_LIFETIME_SECONDS, options.instanceTokenTtlSeconds);
  const now = new Date();
  return underLock(prisma, async (tx) => {
    const key = await findKey(tx, kid);
    if (key.state === "retired") return "unchanged";
    if (key.state === "active") {
      throw new KeyRotationRefusal(
        `${kid} is the active signing key; activate another key first (--force does not change this)`,
      );
    }
    if (key.deactivatedAt !== null) {
      const allowedAt = new Date(key.deactivatedAt.getTime() + longestLifetime * 1000);
      if (!options.force && now < allowedAt) {
        throw new KeyRotationRefusal(
          `${kid} stopped signing at ${formatTime(key.deactivatedAt)}; tokens it signed are ` +
            `valid until ${formatTime(allowedAt)}. It can be retired from then, or now with --force ` +
            "(those tokens then fail verification)",
        );
      }
    }
    await tx.signingKey.update({ where: { kid }, data: { state: "retired", retiredAt: now } });
    return "changed";
  });
}
