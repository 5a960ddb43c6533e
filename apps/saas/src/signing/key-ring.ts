import type { webcrypto } from "node:crypto";
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JWK,
} from "jose";

export const ALGORITHM = "RS256";

/** A published verification key, as the JWKS lists it (never private parts). */
export interface PublicJwk {
  readonly kid: string;
  readonly kty: string;
  readonly alg: typeof ALGORITHM;
  readonly use: "sig";
  readonly n: string;
  readonly e: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: webcrypto.CryptoKey;
}

/** The key that signs and every key verifiers should accept (it among them). */
export interface KeyRing {
  readonly signing: SigningKey;
  readonly published: readonly PublicJwk[];
}

/** Imports a PKCS#8 PEM once: the request path never parses PEM or reads key storage. */
export async function importSigningKey(
  pkcs8Pem: string,
): Promise<{ key: SigningKey; jwk: PublicJwk }> {
  const privateKey = await importPKCS8(pkcs8Pem, ALGORITHM, { extractable: true });
  const jwk = await publicJwk(await exportJWK(privateKey));
  // Re-import without extractability for signing: the private key never leaves WebCrypto.
  const signingKey = await importPKCS8(pkcs8Pem, ALGORITHM);
  return { key: { kid: jwk.kid, privateKey: signingKey }, jwk };
}

/** The public half of a key with its id: the RFC 7638 thumbprint, stable for the key's life. */
async function publicJwk(jwk: JWK): Promise<PublicJwk> {
  const { kty, n, e } = jwk;
  if (kty !== "RSA" || n === undefined || e === undefined) throw new TypeError("not an RSA key");
  const kid = await calculateJwkThumbprint({ kty, n, e });
  return { kid, kty, alg: ALGORITHM, use: "sig", n, e };
}

/** A new RSA key of 2048 bits, as PKCS#8 PEM (for storage, encrypted). */
export async function generatePkcs8Pem(): Promise<string> {
  const { privateKey } = await generateKeyPair(ALGORITHM, {
    modulusLength: 2048,
    extractable: true,
  });
  return exportPKCS8(privateKey);
}
