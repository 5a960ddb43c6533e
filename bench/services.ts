import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

export interface BenchService {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resident memory now, in MiB (from /proc). */
  residentMiB(): Promise<number>;
  /** CPU time the process has used so far (user + system), in seconds (from /proc). */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A service in production mode, as `pnpm start:*` and the container images run it (the
 * bundle: migrations, then serve), its logs written to a file as in production.
 */
export async function startBenchService(options: {
  root: string;
  service: "saas" | "self-managed";
  name: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** More Node.js options (e.g. --cpu-prof when investigating). */
  nodeArgs?: string[];
}): Promise<BenchService> {
  const log = openSync(path.join(options.logDir, `${options.name}.log`), "w");
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      path.join(options.root, "apps", options.service, "dist", "server.mjs"),
    ],
    {
      cwd: options.root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        // As `pnpm start:*` and the images: two glibc malloc arenas instead of one per thread.
        MALLOC_ARENA_MAX: "2",
        PORT: String(options.port),
        LOG_FORMAT: "json",
        ...options.env,
      },
      stdio: ["ignore", log, log],
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${options.name} exited; see ${options.logDir}/${options.name}.log`);
    const ready = await fetch(`${url}/-/readiness`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${options.name} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name: options.name,
    url,
    child,
    async residentMiB() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kib / 1024;
    },
    async cpuSeconds() {
      // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses.
      const fields =
        (await readFile(`/proc/${child.pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
