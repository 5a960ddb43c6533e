import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export type Service = "saas" | "self-managed" | "ai-gateway";

/** Where each service answers 200 once it serves: GitLab's path, or GitLab's AI gateway's. */
const READINESS_PATH: Record<Service, string> = {
  saas: "/-/readiness",
  "self-managed": "/-/readiness",
  "ai-gateway": "/monitoring/ready",
};

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const READY_TIMEOUT_MS = 120_000;
const READY_POLL_MS = 200;

export interface SpawnOptions {
  /**
   * `source` (default) runs `apps/<service>/src/server.ts` through tsx, as the tests and
   * `pnpm dev` do; `bundle` runs the production bundle `apps/<service>/dist/server.mjs`, as
   * `pnpm start:*`, the images and the benchmark do.
   */
  readonly entry?: "source" | "bundle";
  /**
   * Where the output goes. By default it is kept in memory (`output()`, `listening()`); a
   * long-running service instead writes each line to this process's stdout behind a prefix,
   * or straight into a file without passing through this process (the benchmark measures CPU).
   */
  readonly output?: { readonly prefix: string } | { readonly file: string };
  /** More Node.js options (e.g. --cpu-prof when investigating). */
  readonly nodeArgs?: readonly string[];
  /** Its own process group: Ctrl-C in a terminal then reaches it once, through the runner. */
  readonly detached?: boolean;
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr), when kept in memory. */
  output(): string;
  /** Resolves with the base URL once the service logs that it listens; rejects if it exits first. */
  listening(): Promise<string>;
  /** Resolves once its readiness path (`<baseUrl>/-/readiness`) answers 200; rejects if the process exits first or time runs out. */
  ready(baseUrl: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited(): Promise<Exit>;
  /** Sends `signal` (SIGTERM by default) and resolves once the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

function stdioFor(output: SpawnOptions["output"]): {
  stdio: "pipe" | ["ignore", number, number];
  fd?: number;
} {
  if (output && "file" in output) {
    const fd = openSync(output.file, "w");
    return { stdio: ["ignore", fd, fd], fd };
  }
  return { stdio: "pipe" };
}

/**
 * Runs one service's process entry point. Its environment is only PATH, JSON logs and `env`:
 * nothing of this process's environment leaks in unless the caller passes it.
 */
export function spawnService(
  service: Service,
  env: NodeJS.ProcessEnv,
  options: SpawnOptions = {},
): ServiceProcess {
  const entry =
    options.entry === "bundle"
      ? [path.join(repositoryRoot, "apps", service, "dist", "server.mjs")]
      : ["--import", "tsx", path.join(repositoryRoot, "apps", service, "src", "server.ts")];
  const { stdio, fd } = stdioFor(options.output);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, LOG_FORMAT: "json", ...env },
    stdio,
    detached: options.detached ?? false,
  });
  // The child holds its own copy of the log file's descriptor.
  if (fd !== undefined) closeSync(fd);

  let output = "";
  const prefix = options.output && "prefix" in options.output ? options.output.prefix : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    if (prefix === undefined) {
      stream.on("data", (chunk) => {
        output += chunk;
      });
    } else {
      createInterface({ input: stream }).on("line", (line) => {
        process.stdout.write(`${prefix} ${line}\n`);
      });
    }
  }
  const where = options.output && "file" in options.output ? `; see ${options.output.file}` : "";

  const exited = new Promise<Exit>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", () => {
      const url = /Server listening at (http:\/\/[^"\s]+)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    void exited.then(() => reject(new Error(`${service} exited before listening:\n${output}`)));
  });
  // Callers that only wait for the exit must not see an unhandled rejection.
  listening.catch(() => {});

  async function ready(baseUrl: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${service} exited before ${baseUrl} was ready${where}`);
      const answered = await fetch(`${baseUrl}${READINESS_PATH[service]}`).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    throw new Error(
      `${baseUrl}${READINESS_PATH[service]} did not answer within ${timeoutMs / 1000} s${where}`,
    );
  }

  return {
    child,
    output: () => output,
    listening: () => listening,
    ready,
    exited: () => exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
