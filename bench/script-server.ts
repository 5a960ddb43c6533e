import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { MeasuredProcess } from "./cpu-per-request.ts";
import { processStats } from "./process-stats.ts";

const START_TIMEOUT_MS = 30_000;

export interface ScriptServer extends MeasuredProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A server script (TypeScript, through tsx) in a process of its own, like the services, in
 * production mode with only PATH and `env` from outside; resolves once a line it prints
 * gives its URL (`urlOf` answers it, or undefined for a line that does not).
 */
export async function startScriptServer(options: {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  urlOf: (line: string) => string | undefined;
}): Promise<ScriptServer> {
  const child = spawn(process.execPath, ["--import", "tsx", options.script], {
    env: { PATH: process.env.PATH, NODE_ENV: "production", ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const exitedEarly = exited.then(() => {
    throw new Error(`${options.name} exited before listening`);
  });
  exitedEarly.catch(() => {});
  const lines = createInterface({ input: child.stdout });
  const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
  const listening = (async () => {
    for (;;) {
      const [line] = (await once(lines, "line", { signal: timeout })) as [string];
      const url = options.urlOf(line);
      if (url !== undefined) return url;
    }
  })();
  const url = await Promise.race([listening, exitedEarly]);
  lines.close();
  return {
    name: options.name,
    url,
    ...processStats(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
