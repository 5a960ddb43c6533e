import { createPrivateKey, type KeyObject } from "node:crypto";

export const MIN_RSA_BITS = 2048;

/**
 * An RSA private key from PEM (PKCS#8 or PKCS#1). Environment variables often carry PEM
 * with literal "\n" sequences; those are accepted too.
 */
export function parseRsaPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem.includes("\\n") ? pem.replaceAll("\\n", "\n") : pem);
  if (key.asymmetricKeyType !== "rsa") {
    throw new TypeError(`is a ${key.asymmetricKeyType ?? "non-asymmetric"} key, not RSA`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new TypeError(`has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  return key;
}
