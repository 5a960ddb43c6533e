import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

export type Service = "saas" | "self-managed";

const COLORS: Record<Service, string> = { saas: "\x1b[35m", "self-managed": "\x1b[36m" };

export interface ServiceOptions {
  readonly root: string;
  readonly tty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export function prefix(service: Service, tty: boolean): string {
  const label = `[${service}]`.padEnd(15);
  return tty ? `${COLORS[service]}${label}\x1b[0m` : label;
}

/** One service as a child process, its output prefixed by its name. */
export function startService(service: Service, options: ServiceOptions): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(options.root, "apps", service, "src", "server.ts")],
    {
      cwd: options.root,
      env: {
        ...process.env,
        ...options.env,
        LOG_FORMAT: process.env.LOG_FORMAT ?? (options.tty ? "pretty" : "json"),
        ...(options.tty ? { FORCE_COLOR: "1" } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: Ctrl-C reaches the services once, through the runner.
      detached: true,
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (line) => {
      process.stdout.write(`${prefix(service, options.tty)} ${line}\n`);
    });
  }
  return child;
}

/** Resolves once `url` answers 200, rejects if `child` exits first or time runs out. */
export async function waitUntilReady(
  url: string,
  child: ChildProcess,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the service exited (${url})`);
    const ready = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}
