/**
 * R, the reference limit: RS256 signatures per second of a token with our claims, with the
 * same library (jose), keeping as many signatures in flight as the load has connections.
 */
import { randomUUID } from "node:crypto";
import { generateKeyPair, SignJWT } from "jose";

export async function measureSigning(options: {
  inFlight: number;
  durationMs: number;
}): Promise<number> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
  const sign = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ gitlab_realm: "saas", third_party_ai_features_enabled: true })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "bench" })
      .setJti(randomUUID())
      .setAudience("gitlab-code-suggestions")
      .setIssuer("http://localhost:3001")
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
  };
  // Warm up the thread pool and the JIT before counting.
  await Promise.all(Array.from({ length: options.inFlight * 4 }, sign));
  let signed = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      await sign();
      signed += 1;
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  return signed / ((performance.now() - started) / 1000);
}
