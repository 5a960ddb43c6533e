import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ProcessStats } from "./process-stats.ts";
import { processStats } from "./process-stats.ts";

const server = path.join(path.dirname(fileURLToPath(import.meta.url)), "bare-server.ts");
const START_TIMEOUT_MS = 30_000;

export interface BareServer extends ProcessStats {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts H's server (bench/bare-server.ts) in a process of its own, answering `body` with
 * status 201 and `headers`, and resolves with its URL once it listens.
 */
export async function startBareServer(options: {
  body: unknown;
  headers: Record<string, string>;
  /** Relay to this service's token route instead of answering (see bare-server.ts). */
  upstream?: string;
}): Promise<BareServer> {
  const child = spawn(process.execPath, ["--import", "tsx", server], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      BARE_BODY: JSON.stringify(options.body),
      BARE_HEADERS: JSON.stringify(options.headers),
      ...(options.upstream === undefined ? {} : { BARE_UPSTREAM: options.upstream }),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const exitedEarly = exited.then(() => {
    throw new Error("the bare server exited before listening");
  });
  exitedEarly.catch(() => {});
  const lines = createInterface({ input: child.stdout });
  const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
  const [url] = (await Promise.race([once(lines, "line", { signal: timeout }), exitedEarly])) as [
    string,
  ];
  lines.close();
  return {
    name: options.upstream === undefined ? "bare" : "bare-relay",
    url,
    ...processStats(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
