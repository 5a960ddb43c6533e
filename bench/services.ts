import { readFile } from "node:fs/promises";
import path from "node:path";
import { spawnService } from "@token-broker/service-runner";

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

export interface BenchService {
  readonly name: string;
  readonly url: string;
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
  service: "saas" | "self-managed";
  name: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** More Node.js options (e.g. --cpu-prof when investigating). */
  nodeArgs?: string[];
}): Promise<BenchService> {
  const service = spawnService(
    options.service,
    {
      NODE_ENV: "production",
      // As `pnpm start:*` and the images: two glibc malloc arenas instead of one per thread.
      MALLOC_ARENA_MAX: "2",
      PORT: String(options.port),
      ...options.env,
    },
    {
      entry: "bundle",
      output: { file: path.join(options.logDir, `${options.name}.log`) },
      nodeArgs: options.nodeArgs,
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  await service.ready(url);
  const pid = service.child.pid;
  return {
    name: options.name,
    url,
    async residentMiB() {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kib / 1024;
    },
    async cpuSeconds() {
      // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses.
      const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async stop() {
      await service.stop();
    },
  };
}
