import { createTestDatabase, spawnService } from "@token-broker/testing";
import { describe, expect, it } from "vitest";

describe("the self-managed process", () => {
  it.each([
    {
      env: { SAAS_URL: "gitlab.com" },
      message: 'Invalid configuration: SAAS_URL must be an http or https URL (got "gitlab.com")',
    },
    {
      env: { LOG_FORMAT: "xml" },
      message: 'Invalid configuration: LOG_FORMAT must be one of pretty, json (got "xml")',
    },
    {
      env: { DATABASE_URL: "postgres://127.0.0.1:5432/x", DB_KEY_BASE: "too-short" },
      message: "Invalid configuration: DB_KEY_BASE must be at least 32 characters",
    },
  ])(
    "refuses to start when misconfigured, naming the variable ($message)",
    async ({ env, message }) => {
      const service = spawnService("self-managed", {
        ...env,
        DATA_DIR: "/nonexistent/never-created",
      });
      const { code } = await service.exited();
      expect(code).toBe(1);
      expect(service.output()).toContain(message);
      expect(service.output()).not.toContain("too-short");
    },
  );

  it("applies migrations, serves with SaaS away (readiness is its own), and stops at SIGTERM", async () => {
    const { url: databaseUrl, drop } = await createTestDatabase({ migrated: false });
    const service = spawnService("self-managed", {
      PORT: "0",
      DATABASE_URL: databaseUrl,
      DB_KEY_BASE: "self-managed-server-test-key-base-0123456789",
      SAAS_URL: "http://127.0.0.1:1",
      SHUTDOWN_DRAIN_DELAY_MS: "0",
    });
    try {
      const base = await service.listening();
      expect(service.output()).toContain("applied pending migrations");
      const readiness = await fetch(`${base}/-/readiness`);
      expect(readiness.status).toBe(200);
      expect(await service.stop()).toEqual({ code: 0, signal: null });
    } finally {
      service.child.kill("SIGKILL");
      await drop();
    }
  });
});
