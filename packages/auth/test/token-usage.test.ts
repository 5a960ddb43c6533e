import type { Database } from "@token-broker/db";
import { openTestDatabase } from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPrismaTokenStore } from "../src/token-store.ts";
import { createTokenUsageRecorder, LAST_USED_INTERVAL_MS } from "../src/token-usage.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

it("writes a token's last use at most once per interval, however often it is used", async () => {
  const user = await database.prisma.user.create({
    data: { username: "usage", email: "usage@example.com", name: "Usage" },
  });
  const token = await database.prisma.personalAccessToken.create({
    data: { userId: user.id, name: "t", tokenDigest: "usage-digest", scopes: ["api"] },
  });
  const recorder = createTokenUsageRecorder({
    prisma: database.prisma,
    onError: (error) => {
      throw error;
    },
  });
  const store = createPrismaTokenStore(database.prisma);
  const stored = async () => {
    const found = await store.findByDigest("usage-digest");
    if (found === null) throw new Error("token vanished");
    return found;
  };
  const lastUsed = async () =>
    (await database.prisma.personalAccessToken.findUniqueOrThrow({ where: { id: token.id } }))
      .lastUsedAt;

  const start = new Date("2026-01-01T10:00:00Z");
  // The same (stale) record, as a cache would hand it out, used many times.
  const record = await stored();
  for (let minute = 0; minute < 10; minute += 1) {
    recorder.record(record, new Date(start.getTime() + minute * 60_000));
  }
  await recorder.flush();
  expect(await lastUsed()).toEqual(start);

  const later = new Date(start.getTime() + LAST_USED_INTERVAL_MS);
  recorder.record(await stored(), later);
  await recorder.flush();
  expect(await lastUsed()).toEqual(later);
});

it("leaves a fresher time written by another replica alone", async () => {
  const user = await database.prisma.user.create({
    data: { username: "usage2", email: "usage2@example.com", name: "Usage" },
  });
  const fresh = new Date("2026-01-01T10:05:00Z");
  const token = await database.prisma.personalAccessToken.create({
    data: {
      userId: user.id,
      name: "t",
      tokenDigest: "usage-digest-2",
      scopes: ["api"],
      lastUsedAt: fresh,
    },
  });
  const recorder = createTokenUsageRecorder({
    prisma: database.prisma,
    onError: (error) => {
      throw error;
    },
  });
  // This replica's copy is older than the stored time.
  recorder.record(
    {
      ...token,
      lastUsedAt: null,
      user: { id: user.id, username: "usage2", admin: false, state: "active" },
    },
    new Date("2026-01-01T10:06:00Z"),
  );
  await recorder.flush();
  const { lastUsedAt } = await database.prisma.personalAccessToken.findUniqueOrThrow({
    where: { id: token.id },
  });
  expect(lastUsedAt).toEqual(fresh);
});
