import { createTestDatabase, spawnService } from "@token-broker/testing";
import { describe, expect, it } from "vitest";

describe("the SaaS process", () => {
  it.each([
    {
      env: { PORT: "not-a-port" },
      message: 'Invalid configuration: PORT must be an integer from 0 to 65535 (got "not-a-port")',
    },
    {
      env: { DATABASE_URL: "postgres://127.0.0.1:5432/x" },
      message: "Invalid configuration: DB_KEY_BASE is required when DATABASE_URL is set",
    },
    {
      env: { INITIAL_ROOT_TOKEN: "secret" },
      message: "Invalid configuration: INITIAL_ROOT_TOKEN must be glpat-",
    },
  ])(
    "refuses to start when misconfigured, naming the variable ($message)",
    async ({ env, message }) => {
      const service = spawnService("saas", { ...env, DATA_DIR: "/nonexistent/never-created" });
      const { code } = await service.exited();
      expect(code).toBe(1);
      expect(service.output()).toContain(message);
    },
  );

  it("applies migrations, serves, and stops cleanly on SIGTERM", async () => {
    const { url: databaseUrl, drop } = await createTestDatabase({ migrated: false });
    const service = spawnService("saas", {
      PORT: "0",
      DATABASE_URL: databaseUrl,
      DB_KEY_BASE: "server-test-key-base-0123456789abcdef",
    });
    try {
      const base = await service.listening();
      expect(service.output()).toContain("applied pending migrations");
      const readiness = await fetch(`${base}/-/readiness`);
      expect(readiness.status).toBe(200);

      service.child.kill("SIGTERM");
      expect(await service.exited()).toEqual({ code: 0, signal: null });
      expect(service.output()).toContain("stopping: finishing requests under way");
    } finally {
      service.child.kill("SIGKILL");
      await drop();
    }
  });
});
