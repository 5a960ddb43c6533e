// The one reader of RSA private keys in PEM, shared with the AI gateway.
export { MIN_RSA_BITS, parseRsaPrivateKey } from "@token-broker/secrets";
