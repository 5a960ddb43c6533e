import { createHmac, randomBytes } from "node:crypto";
import { deriveKey } from "@token-broker/secrets";

export const PAT_PREFIX = "glpat-";
const RANDOM_CHARACTERS = 20;
// GitLab's format: the prefix and 20 URL-safe random characters.
const PAT_FORMAT = /^glpat-[A-Za-z0-9_-]{20}$/;

/** A new token: `glpat-` + 20 URL-safe characters from 120 random bits. */
export function generatePersonalAccessToken(): string {
  // 15 bytes encode to exactly 20 base64url characters.
  return PAT_PREFIX + randomBytes((RANDOM_CHARACTERS * 3) / 4).toString("base64url");
}

export function isWellFormedToken(token: string): boolean {
  return PAT_FORMAT.test(token);
}

/** Turns a token into what is stored: a keyed digest (HMAC-SHA256), never the token. */
export type TokenDigester = (token: string) => string;

export function createTokenDigester(keyBase: string): TokenDigester {
  const key = deriveKey(keyBase, "token-digest");
  return (token) => createHmac("sha256", key).update(token).digest("hex");
}
