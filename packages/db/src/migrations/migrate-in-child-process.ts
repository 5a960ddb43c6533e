import { spawn } from "node:child_process";
import { MigrationError } from "./apply.ts";

/** The flag a service's entry point takes to apply pending migrations and exit. */
export const MIGRATE_ONLY_FLAG = "--migrate-only";

/**
 * Applies pending migrations from a short-lived copy of this very process (same runtime,
 * loader and entry point, run with --migrate-only): the schema engine's WebAssembly memory
 * and its advisory-lock session end with it instead of staying in the serving process.
 */
export function migrateInChildProcess(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, ...process.argv.slice(1), MIGRATE_ONLY_FLAG],
      {
        env: process.env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const answer = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) {
        reject(
          new MigrationError(stderr.trim().split("\n").at(-1) || `exit code ${code}`, {
            cause: stderr,
          }),
        );
        return;
      }
      try {
        resolve((JSON.parse(answer) as { applied: string[] }).applied);
      } catch (error) {
        reject(
          new MigrationError(`unexpected answer from the migration process: ${answer}`, {
            cause: error,
          }),
        );
      }
    });
  });
}
