import type { Prisma, PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import {
  generatePkcs8Pem,
  importSigningKey,
  type KeyRing,
  type PublicJwk,
  type SigningKey,
} from "./key-ring.ts";

// Serialises changes to the key set (first key, create, activate, retire) between replicas
// and consoles, so that at most one key is ever active.
export const KEY_CHANGE_LOCK = 7_261_001;

/** A stored key that verifiers may see: active or published (retired keys are left out). */
export interface StoredKeyRow {
  readonly kid: string;
  readonly state: "active" | "published";
  readonly encryptedPrivateKey: string;
}

/** JWT_SIGNING_KEY, imported: it signs instead of the active stored key. */
export interface ConfiguredKey {
  readonly key: SigningKey;
  readonly jwk: PublicJwk;
}

/**
 * The keys of a new database: without JWT_SIGNING_KEY, the first start generates a key and
 * stores it encrypted with the application settings (as GitLab keeps its OIDC signing key),
 * so every replica signs with the same key.
 */
export async function ensureActiveKey(prisma: PrismaClient, secretBox: SecretBox): Promise<void> {
  if ((await prisma.signingKey.count({ where: { state: "active" } })) > 0) return;
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_CHANGE_LOCK})`;
    if ((await tx.signingKey.count({ where: { state: "active" } })) > 0) return;
    await storeNewKey(tx, secretBox, "active");
  });
}

/** Generates an RSA key and stores it encrypted, published from now on. Returns its kid. */
export async function storeNewKey(
  db: Prisma.TransactionClient,
  secretBox: SecretBox,
  state: "active" | "published",
): Promise<string> {
  const pem = await generatePkcs8Pem();
  const { jwk } = await importSigningKey(pem);
  const now = new Date();
  await db.applicationSetting.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
  await db.signingKey.create({
    data: {
      kid: jwk.kid,
      encryptedPrivateKey: secretBox.encrypt(pem),
      state,
      createdAt: now,
      publishedAt: now,
      activatedAt: state === "active" ? now : null,
    },
  });
  return jwk.kid;
}

/** One query; newest first, as the JWKS lists them. */
export async function readStoredKeys(prisma: PrismaClient): Promise<StoredKeyRow[]> {
  const rows = await prisma.signingKey.findMany({
    where: { state: { in: ["active", "published"] } },
    select: { kid: true, state: true, encryptedPrivateKey: true },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((row) => ({ ...row, state: row.state === "active" ? "active" : "published" }));
}

/**
 * Decrypts and imports the rows: the signing key (JWT_SIGNING_KEY if set, else the active
 * key) and every key verifiers should accept, the signing one first.
 */
export async function buildKeyRing(
  rows: readonly StoredKeyRow[],
  secretBox: SecretBox,
  configured: ConfiguredKey | undefined,
): Promise<KeyRing> {
  const stored = await Promise.all(
    rows.map(async (row) => ({
      active: row.state === "active",
      ...(await importSigningKey(secretBox.decrypt(row.encryptedPrivateKey))),
    })),
  );
  const signer = configured ?? stored.find((key) => key.active);
  if (signer === undefined) throw new Error("no stored signing key is active");

  const published = new Map<string, PublicJwk>([[signer.jwk.kid, signer.jwk]]);
  for (const key of stored) published.set(key.jwk.kid, key.jwk);
  return { signing: signer.key, published: [...published.values()] };
}
