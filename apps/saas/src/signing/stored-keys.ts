import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { generatePkcs8Pem, importSigningKey, type KeyRing, type PublicJwk } from "./key-ring.ts";

// Serialises key generation between replicas starting at once on a new database.
const KEY_GENERATION_LOCK = 7_261_001;

export interface KeyRingOptions {
  readonly prisma: PrismaClient;
  readonly secretBox: SecretBox;
  /** JWT_SIGNING_KEY (PKCS#8 PEM): signs instead of the stored key, which stays published. */
  readonly configuredPem: string | undefined;
}

/**
 * The instance's keys, read once at start. Without JWT_SIGNING_KEY, the first start generates
 * a key and stores it encrypted with the application settings (as GitLab keeps its OIDC
 * signing key), so every replica signs with the same key. Every stored key is published, so
 * a key can be introduced before it signs and kept after it stops until its tokens expire.
 */
export async function loadKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const { prisma, secretBox, configuredPem } = options;
  if (configuredPem === undefined) await ensureStoredSigningKey(prisma, secretBox);

  const rows = await prisma.signingKey.findMany({ orderBy: { createdAt: "desc" } });
  const stored = await Promise.all(
    rows.map(async (row) => ({
      signing: row.signing,
      ...(await importSigningKey(secretBox.decrypt(row.encryptedPrivateKey))),
    })),
  );
  const configured =
    configuredPem === undefined ? undefined : await importSigningKey(configuredPem);
  const signer = configured ?? stored.find((key) => key.signing);
  if (signer === undefined) throw new Error("no signing key is marked as signing");

  const published = new Map<string, PublicJwk>([[signer.jwk.kid, signer.jwk]]);
  for (const key of stored) published.set(key.jwk.kid, key.jwk);
  return { signing: signer.key, published: [...published.values()] };
}

async function ensureStoredSigningKey(prisma: PrismaClient, secretBox: SecretBox): Promise<void> {
  if ((await prisma.signingKey.count({ where: { signing: true } })) > 0) return;
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`;
    if ((await tx.signingKey.count({ where: { signing: true } })) > 0) return;
    const pem = await generatePkcs8Pem();
    const { jwk } = await importSigningKey(pem);
    await tx.applicationSetting.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
    await tx.signingKey.create({
      data: { kid: jwk.kid, encryptedPrivateKey: secretBox.encrypt(pem), signing: true },
    });
  });
}
