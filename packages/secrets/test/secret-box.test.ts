import { describe, expect, it } from "vitest";
import { deriveKey } from "../src/derive-key.ts";
import { createSecretBox, SecretDecryptionError } from "../src/secret-box.ts";

const keyBase = "a".repeat(32);

describe("secret box", () => {
  it("gives back what it encrypted, and never the same ciphertext twice", () => {
    const box = createSecretBox(keyBase);
    const first = box.encrypt("glpat-service-account-token");
    const second = box.encrypt("glpat-service-account-token");
    expect(first).not.toContain("glpat");
    expect(first).not.toBe(second);
    expect(box.decrypt(first)).toBe("glpat-service-account-token");
  });

  it("refuses a ciphertext made with another key base", () => {
    const ciphertext = createSecretBox(keyBase).encrypt("secret");
    expect(() => createSecretBox("b".repeat(32)).decrypt(ciphertext)).toThrow(
      SecretDecryptionError,
    );
  });

  it("refuses a tampered ciphertext", () => {
    const box = createSecretBox(keyBase);
    const [version, iv, tag, body] = box.encrypt("secret").split(".");
    const flipped = `${body?.[0] === "A" ? "B" : "A"}${body?.slice(1)}`;
    expect(() => box.decrypt([version, iv, tag, flipped].join("."))).toThrow(SecretDecryptionError);
    expect(() => box.decrypt("not-a-ciphertext")).toThrow(SecretDecryptionError);
  });
});

describe("deriveKey", () => {
  it("derives different keys for different purposes", () => {
    expect(deriveKey(keyBase, "token-digest").equals(deriveKey(keyBase, "secrets-at-rest"))).toBe(
      false,
    );
  });

  it("refuses a key base shorter than 32 characters", () => {
    expect(() => deriveKey("short", "token-digest")).toThrow(/at least 32/);
  });
});
