import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase } from "@token-broker/testing";
import { expect, it } from "vitest";

const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/console.ts");

function runConsole(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
}

it("runs as a process on the service's database, with exit codes a script can rely on", async () => {
  const { url, drop } = await createTestDatabase({ migrated: false });
  const env = { DATABASE_URL: url, DB_KEY_BASE: "console-process-key-base-0123456789" };
  try {
    const created = runConsole(
      ["users", "create", "--username", "svc", "--email", "svc@example.com", "--name", "Svc"],
      env,
    );
    expect([created.status, created.stdout.trim()]).toEqual([
      0,
      expect.stringMatching(/^created user svc/),
    ]);
    const token = runConsole(
      ["tokens", "create", "svc", "--name", "t", "--scopes", "ai_features"],
      env,
    );
    expect(token.status).toBe(0);
    expect(token.stdout.trim()).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);

    const refused = runConsole(["users", "block", "nobody"], env);
    expect([refused.status, refused.stderr.trim()]).toEqual([1, "users block: User Not Found"]);
    const misconfigured = runConsole(["status"], { DATABASE_URL: url });
    expect([misconfigured.status, misconfigured.stderr.trim()]).toEqual([
      1,
      "status: Invalid configuration: DB_KEY_BASE is required when DATABASE_URL is set",
    ]);
  } finally {
    await drop();
  }
});
