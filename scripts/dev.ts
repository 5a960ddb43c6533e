/**
 * `pnpm dev`: both services on their embedded databases, wired together, logs of both in
 * one terminal (prefixed by service). Ctrl-C stops both.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tty = process.stdout.isTTY === true;
const colors = { saas: "\x1b[35m", "self-managed": "\x1b[36m" } as const;
type Service = keyof typeof colors;

const saasPort = process.env.SAAS_PORT ?? "3001";
const environments: Record<Service, NodeJS.ProcessEnv> = {
  saas: { PORT: saasPort },
  "self-managed": {
    PORT: process.env.SELF_MANAGED_PORT ?? "3000",
    SAAS_URL: process.env.SAAS_URL ?? `http://localhost:${saasPort}`,
  },
};

function prefix(service: Service): string {
  const label = `[${service}]`.padEnd(15);
  return tty ? `${colors[service]}${label}\x1b[0m` : label;
}

function start(service: Service): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "apps", service, "src", "server.ts")],
    {
      cwd: root,
      env: {
        ...process.env,
        ...environments[service],
        LOG_FORMAT: process.env.LOG_FORMAT ?? (tty ? "pretty" : "json"),
        ...(tty ? { FORCE_COLOR: "1" } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: Ctrl-C reaches the services once, through stopAll.
      detached: true,
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (line) => {
      process.stdout.write(`${prefix(service)} ${line}\n`);
    });
  }
  return child;
}

const children = new Map<Service, ChildProcess>(
  (Object.keys(colors) as Service[]).map((service) => [service, start(service)]),
);

let stopping = false;
function stopAll(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill(signal);
}

process.on("SIGINT", () => stopAll("SIGINT"));
process.on("SIGTERM", () => stopAll("SIGTERM"));

for (const [service, child] of children) {
  child.on("exit", (code, signal) => {
    children.delete(service);
    if (!stopping) {
      process.stdout.write(
        `${prefix(service)} exited (${signal ?? `code ${code}`}); stopping the other service\n`,
      );
      process.exitCode = code || 1;
      stopAll("SIGTERM");
    }
  });
}
