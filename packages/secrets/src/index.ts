export { deriveKey, type KeyPurpose, MIN_KEY_BASE_LENGTH } from "./derive-key.ts";
export { MIN_RSA_BITS, parseRsaPrivateKey } from "./rsa-private-key.ts";
export { createSecretBox, type SecretBox, SecretDecryptionError } from "./secret-box.ts";
