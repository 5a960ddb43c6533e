import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FastifyBaseLogger } from "fastify";
import { calculateJwkThumbprint, exportJWK } from "jose";

/** The file a development gateway keeps its generated key in, under DATA_DIR. */
const KEY_FILE = "ai_gateway_signing_key.pem";

export interface GatewayKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

async function readOrGenerate(dataDir: string, log: FastifyBaseLogger): Promise<string> {
  const file = path.join(dataDir, KEY_FILE);
  const existing = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing !== undefined) return existing;
  await mkdir(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await writeFile(file, pem, { mode: 0o600, flag: "wx" });
  log.warn(
    { file },
    "generated a signing key for user tokens (development only: set AI_GATEWAY_SIGNING_KEY, the same on every replica)",
  );
  return pem;
}

/**
 * The key that signs and verifies user tokens (direct access). Every replica must hold the
 * same one (AI_GATEWAY_SIGNING_KEY): a token minted by one is presented to another. Outside
 * production, without the variable, one is generated once into DATA_DIR.
 */
export async function loadGatewayKey(options: {
  readonly configuredPem: string | undefined;
  readonly dataDir: string;
  readonly log: FastifyBaseLogger;
}): Promise<GatewayKey> {
  const pem = options.configuredPem ?? (await readOrGenerate(options.dataDir, options.log));
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  // The RFC 7638 thumbprint: the same key gives the same kid on every replica.
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { kid, privateKey, publicKey };
}
