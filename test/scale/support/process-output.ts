import type { ChildProcess } from "node:child_process";

/**
 * Resolves once a helper process (PgBouncer, HAProxy) writes a line matching `ready`;
 * rejects with what it wrote if it exits first or stays silent for `timeoutMs`.
 */
export function waitForOutput(
  child: ChildProcess,
  ready: RegExp,
  name: string,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    const fail = (reason: string) => {
      clearTimeout(timer);
      reject(new Error(`${name} ${reason}:\n${output}`));
    };
    const look = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", look);
    child.stderr?.on("data", look);
    child.once("error", (error) => fail(`could not run: ${error.message}`));
    child.once("exit", (code) => fail(`exited with ${code}`));
  });
}
