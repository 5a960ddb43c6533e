import type { ChangeFeed } from "@token-broker/instance";
import { createSecretBox } from "@token-broker/secrets";
import { openTestDatabase, TEST_KEY_BASE } from "@token-broker/testing";
import { pino } from "pino";
import { expect, it } from "vitest";
import { startKeyRing } from "../src/signing/live-key-ring.ts";
import { saasConsole } from "./support/saas-console.ts";

/** A feed that never reports a change: what a replica sees while notifications are down. */
const silentFeed: ChangeFeed = {
  generation: 0,
  on: () => undefined,
  onReset: () => undefined,
  fresh: async () => false,
  close: async () => undefined,
};

it("serves keys from memory while fresh, and reads the database when it cannot trust notifications", async () => {
  const database = await openTestDatabase();
  try {
    const ring = await startKeyRing({
      prisma: database.prisma,
      secretBox: createSecretBox(TEST_KEY_BASE),
      feed: silentFeed,
      log: pino({ level: "silent" }),
      exclusive: false,
      configuredPem: undefined,
    });
    const oldKid = ring.current().signing.kid;
    const env = { DATABASE_URL: database.url, DB_KEY_BASE: TEST_KEY_BASE };
    const newKid = (await saasConsole(["signing-keys", "create"], env)).out;
    expect((await saasConsole(["signing-keys", "activate", newKid, "--force"], env)).code).toBe(0);

    expect((await ring.get(true)).signing.kid).toBe(oldKid);
    const checked = await ring.get(false);
    expect(checked.signing.kid).toBe(newKid);
    expect(checked.published.map((key) => key.kid)).toEqual([newKid, oldKid]);
    expect(ring.current().signing.kid).toBe(newKid);
  } finally {
    await database.close();
  }
});
