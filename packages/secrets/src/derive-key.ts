import { hkdfSync } from "node:crypto";

/** Minimum length of DB_KEY_BASE, as docs/configuration.md requires. */
export const MIN_KEY_BASE_LENGTH = 32;

export type KeyPurpose = "token-digest" | "secrets-at-rest";

/**
 * One secret (DB_KEY_BASE) yields an independent 256-bit key per purpose (HKDF-SHA256), so
 * the key that digests tokens is never the key that encrypts secrets.
 */
export function deriveKey(keyBase: string, purpose: KeyPurpose): Buffer {
  if (keyBase.length < MIN_KEY_BASE_LENGTH) {
    throw new RangeError(`the key base must be at least ${MIN_KEY_BASE_LENGTH} characters`);
  }
  return Buffer.from(hkdfSync("sha256", keyBase, "code-suggestions-token-broker", purpose, 32));
}
