import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./derive-key.ts";

const VERSION = "v1";
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;

export class SecretDecryptionError extends Error {
  constructor() {
    super(
      "a stored secret could not be decrypted: DB_KEY_BASE differs from the one that encrypted it",
    );
    this.name = "SecretDecryptionError";
  }
}

/** Encrypts secrets at rest (AES-256-GCM) with a key derived from DB_KEY_BASE. */
export interface SecretBox {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
}

export function createSecretBox(keyBase: string): SecretBox {
  const key = deriveKey(keyBase, "secrets-at-rest");
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), body].map(encodePart).join(".");
    },
    decrypt(ciphertext) {
      const [version, iv, tag, body] = ciphertext.split(".");
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new SecretDecryptionError();
      }
      try {
        const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, "base64url"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        const plain = Buffer.concat([
          decipher.update(Buffer.from(body, "base64url")),
          decipher.final(),
        ]);
        return plain.toString("utf8");
      } catch {
        throw new SecretDecryptionError();
      }
    },
  };
}

function encodePart(part: string | Buffer): string {
  return typeof part === "string" ? part : part.toString("base64url");
}
