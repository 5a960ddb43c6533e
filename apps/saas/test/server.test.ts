import { createTestDatabase, spawnService } from "@token-broker/testing";
import { describe, expect, it, vi } from "vitest";

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
    {
      env: { LOG_FORMAT: "xml" },
      message: 'Invalid configuration: LOG_FORMAT must be one of pretty, json (got "xml")',
    },
    {
      env: { DATABASE_URL: "postgres://127.0.0.1:5432/x", DB_KEY_BASE: "too-short" },
      message: "Invalid configuration: DB_KEY_BASE must be at least 32 characters",
    },
    {
      env: { EXTERNAL_URL: "http://127.0.0.1:3001/gitlab" },
      message:
        'Invalid configuration: EXTERNAL_URL must be a scheme, host and port without a path (got path "/gitlab")',
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

  it("applies migrations, serves, and at SIGTERM fails readiness while still serving, then exits 0", async () => {
    const { url: databaseUrl, drop } = await createTestDatabase({ migrated: false });
    // The default drain (5 s with PostgreSQL) leaves time to look at the draining process.
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
      await vi.waitFor(() => expect(service.output()).toContain("draining: readiness fails"));
      const draining = await fetch(`${base}/-/readiness`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toEqual({
        status: "failed",
        shutdown_check: [{ status: "failed", message: "shutting down" }],
      });
      const served = await fetch(`${base}/oauth/discovery/keys`);
      expect(served.status).toBe(200);
      expect(served.headers.get("connection")).toBe("close");

      expect(await service.exited()).toEqual({ code: 0, signal: null });
      expect(service.output()).toContain("stopping: finishing requests under way");
    } finally {
      service.child.kill("SIGKILL");
      await drop();
    }
  });
});
