/**
 * R, the reference limit: RS256 signatures per second of a token with our claims, with the
 * same library (jose, on WebCrypto), keeping as many signatures in flight as the load has
 * connections. And, for comparison only, the same signatures with node:crypto's
 * asynchronous sign (no WebCrypto), to show how much of the limit is the library's.
 */
import { KeyObject, sign as nodeSign, randomUUID } from "node:crypto";
import { generateKeyPair, SignJWT } from "jose";

type Signer = () => Promise<unknown>;

async function signaturesPerSecond(sign: Signer, inFlight: number, durationMs: number) {
  // Warm up the thread pool and the JIT before counting.
  await Promise.all(Array.from({ length: inFlight * 4 }, sign));
  let signed = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      await sign();
      signed += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return signed / ((performance.now() - started) / 1000);
}

function claims() {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ gitlab_realm: "saas", third_party_ai_features_enabled: true })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "bench" })
    .setJti(randomUUID())
    .setAudience("gitlab-code-suggestions")
    .setIssuer("http://localhost:3001")
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + 3600);
}

export async function measureSigning(options: {
  inFlight: number;
  durationMs: number;
}): Promise<{ jose: number; nodeCrypto: number }> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
  const jose = await signaturesPerSecond(
    () => claims().sign(privateKey),
    options.inFlight,
    options.durationMs,
  );
  // The bytes jose signs for such a token, signed by node:crypto on its thread pool.
  const keyObject = KeyObject.from(privateKey);
  const [header, payload] = (await claims().sign(privateKey)).split(".");
  const input = Buffer.from(`${header}.${payload}`);
  const nodeCrypto = await signaturesPerSecond(
    () =>
      new Promise((resolve, reject) =>
        nodeSign("sha256", input, keyObject, (error, signature) =>
          error ? reject(error) : resolve(signature),
        ),
      ),
    options.inFlight,
    options.durationMs,
  );
  return { jose, nodeCrypto };
}
