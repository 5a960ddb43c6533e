import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the base URL once the service listens; rejects if it exits first. */
  listening(): Promise<string>;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a service's process entry point (`apps/<service>/src/server.ts`) as production does. */
export function spawnService(
  service: "saas" | "self-managed",
  env: NodeJS.ProcessEnv,
): ServiceProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(repositoryRoot, "apps", service, "src", "server.ts")],
    {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH, LOG_FORMAT: "json", ...env },
      stdio: "pipe",
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const listening = new Promise<string>((resolve, reject) => {
    const look = () => {
      const url = /Server listening at (http:\/\/[^"\s]+)/.exec(output)?.[1];
      if (url) resolve(url);
    };
    child.stdout.on("data", look);
    void exited.then(() => reject(new Error(`the service exited before listening:\n${output}`)));
  });
  // Callers that only wait for the exit must not see an unhandled rejection.
  listening.catch(() => {});
  return { child, output: () => output, listening: () => listening, exited: () => exited };
}
