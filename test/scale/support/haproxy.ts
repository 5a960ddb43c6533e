import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@token-broker/testing";
import { vi } from "vitest";

/** How often HAProxy checks readiness; two failed checks take a replica out. */
export const CHECK_INTERVAL_MS = 200;

export interface ServerStats {
  /** UP, DOWN, or a transition such as "DOWN 1/2". */
  readonly status: string;
  /** Requests retried on another connection, and redispatched to another server. */
  readonly retries: number;
  readonly redispatches: number;
  /** Sessions (requests' connections) the server was given so far; checks not counted. */
  readonly sessions: number;
}

export interface Haproxy {
  /** The frontend's URL for a backend (one frontend per service). */
  url(backend: string): string;
  stats(backend: string, server: string): Promise<ServerStats>;
  stop(): Promise<void>;
}

/**
 * Debian's HAProxy, one frontend per service on loopback, each balancing over the service's
 * replicas and health-checking `/-/readiness` (or the backend's path in `readinessPaths`: the
 * AI gateway's is `/monitoring/ready`). It retries only what never reached an application (a
 * refused connection, or one closed before any answer) on another replica.
 */
export async function startHaproxy(
  backends: Readonly<Record<string, readonly { name: string; port: number }[]>>,
  readinessPaths: Readonly<Record<string, string>> = {},
): Promise<Haproxy> {
  const dir = await mkdtemp(path.join(tmpdir(), "broker-haproxy-"));
  const statsPort = await freePort();
  const frontendPorts = new Map<string, number>();
  for (const backend of Object.keys(backends)) frontendPorts.set(backend, await freePort());
  const sections = Object.entries(backends).flatMap(([backend, servers]) => [
    `frontend ${backend}`,
    `  bind 127.0.0.1:${frontendPorts.get(backend)}`,
    `  default_backend ${backend}`,
    `backend ${backend}`,
    "  balance roundrobin",
    `  option httpchk GET ${readinessPaths[backend] ?? "/-/readiness"}`,
    "  http-check expect status 200",
    `  default-server check inter ${CHECK_INTERVAL_MS} fall 2 rise 1`,
    ...servers.map(({ name, port }) => `  server ${name} 127.0.0.1:${port}`),
  ]);
  const config = [
    "global",
    "  maxconn 2000",
    "defaults",
    "  mode http",
    "  timeout connect 1s",
    // A slow answer to a check is not a failed one (without this, `inter` is the timeout).
    "  timeout check 3s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  retries 3",
    "  option redispatch 1",
    "  retry-on conn-failure empty-response",
    "frontend stats",
    `  bind 127.0.0.1:${statsPort}`,
    "  stats enable",
    "  stats uri /stats",
    ...sections,
  ].join("\n");
  const file = path.join(dir, "haproxy.cfg");
  await writeFile(file, `${config}\n`);

  // -db: stay in the foreground.
  const child = spawn("haproxy", ["-db", "-f", file], { stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const statsCsv = async () => (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
  try {
    await vi.waitFor(statsCsv, { timeout: 10_000, interval: 50 });
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`HAProxy did not start:\n${output}`, { cause: error });
  }

  return {
    url: (backend) => `http://127.0.0.1:${frontendPorts.get(backend)}`,
    async stats(backend, server) {
      const csv = await statsCsv();
      const [header, ...rows] = csv.trim().split("\n");
      const columns = (header ?? "").replace(/^# /, "").split(",");
      const row = rows
        .map((line) => line.split(","))
        .find((cells) => cells[0] === backend && cells[1] === server);
      if (row === undefined) throw new Error(`no server ${backend}/${server} in HAProxy's stats`);
      const cell = (name: string) => row[columns.indexOf(name)] ?? "";
      return {
        status: cell("status"),
        retries: Number(cell("wretr")),
        redispatches: Number(cell("wredis")),
        sessions: Number(cell("stot")),
      };
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
