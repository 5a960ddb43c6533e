import type { PrismaClient } from "@token-broker/db";
import { type SecretBox, SecretDecryptionError } from "@token-broker/secrets";

/** The one row (GitLab keeps one instance token too, beside its settings). */
const ROW_ID = 1;

/** An instance token as stored, decrypted. Times as SaaS and this instance gave them. */
export interface HeldToken {
  readonly token: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** HMAC of the ai_access_token that fetched it (undefined: not known). */
  readonly serviceTokenDigest: string | undefined;
}

export interface StoredState {
  /** Undefined when none is stored, or it cannot be decrypted with this DB_KEY_BASE. */
  readonly held: HeldToken | undefined;
  readonly lastFailure: { readonly at: Date; readonly reason: string } | undefined;
}

/** From this moment on, less than half the token's life is left: time to refresh it. */
export function refreshDueAt(held: HeldToken): Date {
  const issued = held.issuedAt.getTime();
  return new Date(issued + (held.expiresAt.getTime() - issued) / 2);
}

export function isValid(held: HeldToken | undefined, now: number): held is HeldToken {
  return held !== undefined && held.expiresAt.getTime() > now;
}

export async function readStoredToken(
  prisma: PrismaClient,
  secretBox: SecretBox,
): Promise<StoredState> {
  const row = await prisma.instanceToken.findUnique({ where: { id: ROW_ID } });
  const lastFailure =
    row?.lastFailureAt != null && row.lastFailure != null
      ? { at: row.lastFailureAt, reason: row.lastFailure }
      : undefined;
  if (row?.encryptedToken == null || row.issuedAt === null || row.expiresAt === null) {
    return { held: undefined, lastFailure };
  }
  let token: string;
  try {
    token = secretBox.decrypt(row.encryptedToken);
  } catch (error) {
    // Stored under another DB_KEY_BASE: as good as none; the next refresh replaces it.
    if (error instanceof SecretDecryptionError) return { held: undefined, lastFailure };
    throw error;
  }
  return {
    held: {
      token,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      serviceTokenDigest: row.serviceTokenDigest ?? undefined,
    },
    lastFailure,
  };
}

/**
 * Claims the refresh for this process for `leaseMs`, with one conditional UPDATE: it
 * succeeds only when no other replica holds an unexpired claim and (unless `force`) the
 * stored token still needs refreshing (none, past half its life, or fetched with another
 * ai_access_token). A replica that loses keeps serving what it holds: whoever won stores
 * the new token and every replica is notified. A claim left by a crashed replica expires.
 */
export async function claimRefresh(
  prisma: PrismaClient,
  options: { serviceTokenDigest: string; force: boolean; leaseMs: number },
): Promise<boolean> {
  const { serviceTokenDigest, force, leaseMs } = options;
  await prisma.$executeRaw`
    INSERT INTO instance_tokens (id) VALUES (${ROW_ID}) ON CONFLICT (id) DO NOTHING`;
  const claimed = await prisma.$executeRaw`
    UPDATE instance_tokens
       SET refresh_lease_until = now() + make_interval(secs => ${leaseMs / 1000}::double precision)
     WHERE id = ${ROW_ID}
       AND (refresh_lease_until IS NULL OR refresh_lease_until <= now())
       AND (${force}::boolean
            OR encrypted_token IS NULL OR issued_at IS NULL OR expires_at IS NULL
            OR service_token_digest IS DISTINCT FROM ${serviceTokenDigest}
            OR expires_at - (expires_at - issued_at) / 2 <= now())`;
  return claimed === 1;
}

/** Stores a new token (encrypted) and ends the claim; every replica is notified. */
export async function storeToken(
  prisma: PrismaClient,
  secretBox: SecretBox,
  fetched: { token: string; expiresAt: Date; serviceTokenDigest: string },
): Promise<HeldToken> {
  const row = await prisma.instanceToken.update({
    where: { id: ROW_ID },
    data: {
      encryptedToken: secretBox.encrypt(fetched.token),
      issuedAt: new Date(),
      expiresAt: fetched.expiresAt,
      serviceTokenDigest: fetched.serviceTokenDigest,
      refreshLeaseUntil: null,
      lastFailure: null,
      lastFailureAt: null,
    },
    select: { issuedAt: true },
  });
  return {
    token: fetched.token,
    issuedAt: row.issuedAt ?? new Date(),
    expiresAt: fetched.expiresAt,
    serviceTokenDigest: fetched.serviceTokenDigest,
  };
}

/** Ends the claim after a failed refresh, saying why (for status and the health check). */
export async function recordFailure(prisma: PrismaClient, reason: string): Promise<void> {
  await prisma.instanceToken.update({
    where: { id: ROW_ID },
    data: { refreshLeaseUntil: null, lastFailure: reason, lastFailureAt: new Date() },
  });
}
