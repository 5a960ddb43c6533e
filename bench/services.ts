import path from "node:path";
import { type Service, spawnService } from "@token-broker/service-runner";
import { freePort } from "./free-port.ts";
import { type ProcessStats, processStats } from "./process-stats.ts";

/** The services the benchmark starts, by their folder under apps/. */
export type ServiceName = Service;

export interface BenchService extends ProcessStats {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A service in production mode, as `pnpm start:*` and the container images run it (the
 * bundle: migrations, then serve), on a free loopback port, its logs written to a file as in
 * production.
 */
export async function startBenchService(options: {
  service: ServiceName;
  name: string;
  env: NodeJS.ProcessEnv | ((url: string) => NodeJS.ProcessEnv);
  logDir: string;
  /** More Node.js options (e.g. --cpu-prof when investigating). */
  nodeArgs?: string[];
}): Promise<BenchService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = typeof options.env === "function" ? options.env(url) : options.env;
  const service = spawnService(
    options.service,
    {
      NODE_ENV: "production",
      // As `pnpm start:*` and the images: two glibc malloc arenas instead of one per thread.
      MALLOC_ARENA_MAX: "2",
      PORT: String(port),
      // No load balancer to wait for when the benchmark stops it.
      SHUTDOWN_DRAIN_DELAY_MS: "0",
      ...env,
    },
    {
      entry: "bundle",
      output: { file: path.join(options.logDir, `${options.name}.log`) },
      nodeArgs: options.nodeArgs,
    },
  );
  await service.ready(url);
  return {
    name: options.name,
    url,
    ...processStats(service.child.pid),
    async stop() {
      await service.stop();
    },
  };
}
