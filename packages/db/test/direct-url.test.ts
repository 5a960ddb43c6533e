import { createTestDatabase, freePort } from "@token-broker/testing";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { applyMigrations } from "../src/migrations/apply.ts";

/**
 * With a pooler in transaction mode in front of PostgreSQL (DATABASE_URL), what needs a
 * session of its own goes to PostgreSQL directly (DATABASE_DIRECT_URL): here the pooled URL
 * answers nothing at all, so anything sent there would fail.
 */
describe("a database with a direct URL", () => {
  it("applies migrations and listens for changes on the direct connection", async () => {
    const { url, drop } = await createTestDatabase({ migrated: false });
    const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/pooled`;
    const database = await openDatabase({ kind: "postgres", url: nowhere, directUrl: url });
    try {
      expect(await applyMigrations(database)).not.toEqual([]);
      let connected = false;
      const subscription = await database.listenToChanges?.({
        onNotification: () => {},
        onConnected: () => {
          connected = true;
        },
        onDisconnected: () => {},
      });
      expect(connected).toBe(true);
      await subscription?.barrier();
      await subscription?.close();
      await expect(database.ping()).rejects.toThrow();
    } finally {
      await database.close();
      await drop();
    }
  });
});
