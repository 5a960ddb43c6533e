import type { ChangeFeed } from "@token-broker/instance";
import { createSecretBox } from "@token-broker/secrets";
import { openTestDatabase, TEST_KEY_BASE } from "@token-broker/testing";
import { pino } from "pino";
import { expect, it } from "vitest";
import { startKeyRing } from "../src/signing/live-key-ring.ts";
import { saasConsole } from "./support/saas-console.ts";

/**
 * A feed that never reports a change, and says whether memory may be trusted as told: what a
 * replica sees when a notification was lost (trusted) or while notifications are down.
 */
function silentFeed() {
  let trusted = true;
  const feed: ChangeFeed = {
    generation: 0,
    on: () => undefined,
    onReset: () => undefined,
    fresh: async () => trusted,
    close: async () => undefined,
  };
  return { feed, distrust: () => (trusted = false) };
}

it("serves keys from memory while fresh, and reads the database when it cannot trust notifications", async () => {
  const database = await openTestDatabase();
  try {
    const { feed, distrust } = silentFeed();
    const ring = await startKeyRing({
      prisma: database.prisma,
      secretBox: createSecretBox(TEST_KEY_BASE),
      feed,
      log: pino({ level: "silent" }),
      exclusive: false,
      configuredPem: undefined,
    });
    const oldKid = ring.current().signing.kid;
    const env = { DATABASE_URL: database.url, DB_KEY_BASE: TEST_KEY_BASE };
    const newKid = (await saasConsole(["signing-keys", "create"], env)).out;
    expect((await saasConsole(["signing-keys", "activate", newKid, "--force"], env)).code).toBe(0);

    expect((await ring.get()).signing.kid).toBe(oldKid);
    distrust();
    const checked = await ring.get();
    expect(checked.signing.kid).toBe(newKid);
    expect(checked.published.map((key) => key.kid)).toEqual([newKid, oldKid]);
    expect(ring.current().signing.kid).toBe(newKid);
  } finally {
    await database.close();
  }
});
