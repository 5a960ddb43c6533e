import { describe, expect, it } from "vitest";
import type { TokenVerifier, Verification } from "../src/auth/token-verifier.ts";
import { rememberVerifiedTokens } from "../src/auth/verified-token-cache.ts";

const NOW_S = 1_800_000_000;

function verified(exp: number): Verification {
  return {
    ok: true,
    token: { kind: "issued", issuer: "https://saas.example", claims: { exp }, scopes: [] },
  };
}

/** A verifier answering `answer` and counting its calls: what the wrapper must spare. */
function counting(answer: Verification) {
  const calls: string[] = [];
  const verify: TokenVerifier = async (jwt) => {
    calls.push(jwt);
    return answer;
  };
  return { verify, calls };
}

describe("verified tokens remembered", () => {
  it("checks a token that verified once, then answers it from memory", async () => {
    const inner = counting(verified(NOW_S + 3600));
    const verify = rememberVerifiedTokens(inner.verify, () => NOW_S * 1000);
    for (let i = 0; i < 3; i++) {
      expect((await verify("a.b.c", { acceptLegacy: false })).ok).toBe(true);
    }
    expect(inner.calls).toHaveLength(1);
  });

  it("keeps the audience rule apart: a token verified for the legacy route is checked again elsewhere", async () => {
    const inner = counting(verified(NOW_S + 3600));
    const verify = rememberVerifiedTokens(inner.verify, () => NOW_S * 1000);
    await verify("a.b.c", { acceptLegacy: true });
    await verify("a.b.c", { acceptLegacy: false });
    expect(inner.calls).toHaveLength(2);
  });

  it("never remembers a refusal", async () => {
    const inner = counting({ ok: false, reason: "signature" });
    const verify = rememberVerifiedTokens(inner.verify, () => NOW_S * 1000);
    await verify("a.b.c", { acceptLegacy: false });
    expect((await verify("a.b.c", { acceptLegacy: false })).ok).toBe(false);
    expect(inner.calls).toHaveLength(2);
  });

  it("checks a token again once it has expired, and at least every five minutes", async () => {
    let now = NOW_S * 1000;
    const shortLived = counting(verified(NOW_S + 60));
    const verifyShort = rememberVerifiedTokens(shortLived.verify, () => now);
    await verifyShort("short", { acceptLegacy: false });
    now += 61_000;
    await verifyShort("short", { acceptLegacy: false });
    expect(shortLived.calls).toHaveLength(2);

    now = NOW_S * 1000;
    const longLived = counting(verified(NOW_S + 3600));
    const verifyLong = rememberVerifiedTokens(longLived.verify, () => now);
    await verifyLong("long", { acceptLegacy: false });
    now += 4 * 60_000;
    await verifyLong("long", { acceptLegacy: false });
    expect(longLived.calls).toHaveLength(1);
    now += 2 * 60_000;
    await verifyLong("long", { acceptLegacy: false });
    expect(longLived.calls).toHaveLength(2);
  });
});
