import type { ConsoleIo } from "@token-broker/console";
import { createTestDatabase, type TestDatabase } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSelfManagedConsole } from "../src/self-managed-console.ts";

function capture() {
  const output = { out: [] as string[], err: [] as string[] };
  const io: ConsoleIo = {
    out: (line) => output.out.push(line),
    err: (line) => output.err.push(line),
    readStdin: async () => "",
  };
  return { output, io };
}

describe("the self-managed console", () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
    env = {
      DATABASE_URL: database.url,
      DB_KEY_BASE: "self-managed-console-key-base-0123456789",
      // Nothing listens there: SaaS and the AI gateway are unreachable.
      SAAS_URL: "http://127.0.0.1:1",
      SAAS_TIMEOUT_MS: "1000",
      AI_GATEWAY_URL: "http://127.0.0.1:1",
    };
  });
  afterAll(() => database.drop());

  it("offers the shared commands and health-check", async () => {
    const { output, io } = capture();
    expect(await runSelfManagedConsole({ argv: ["--help"], env, io })).toBe(0);
    const help = output.out.join("\n");
    expect(help).toContain("usage: pnpm console:self-managed <command>");
    expect(help).toMatch(/^ {2}health-check +check the connection to SaaS/m);
    expect(help).toMatch(/^ {2}users create /m);
  });

  it("health-check: exit code 1 and what to do, for an unset token and an unreachable SaaS", async () => {
    const { output, io } = capture();
    expect(await runSelfManagedConsole({ argv: ["health-check", "--json"], env, io })).toBe(1);
    const report = JSON.parse(output.out.join("\n")) as {
      success: boolean;
      probes: { name: string; success: boolean; message: string }[];
    };
    expect(report.success).toBe(false);
    expect(report.probes.map(({ name, success }) => [name, success])).toEqual([
      ["instance_settings", false],
      ["saas_reachable", false],
      ["service_token", false],
      ["token_issuance", false],
      ["instance_token", false],
      ["ai_gateway_reachable", false],
      ["code_completion", false],
    ]);
    expect(report.probes[0]?.message).toContain("no ai_access_token is stored");
    expect(report.probes[2]?.message).toBe(
      "not checked: no ai_access_token is stored (see instance_settings)",
    );
  });

  it("refuses a configuration naming the variable, before opening anything", async () => {
    const { output, io } = capture();
    const code = await runSelfManagedConsole({
      argv: ["health-check"],
      env: { ...env, SAAS_TIMEOUT_MS: "forever" },
      io,
    });
    expect(code).toBe(1);
    expect(output.err.join("\n")).toBe(
      'health-check: Invalid configuration: SAAS_TIMEOUT_MS must be an integer from 1 to 600000 (got "forever")',
    );
  });
});
