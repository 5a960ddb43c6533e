import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@token-broker/testing";
import pg from "pg";
import { waitForOutput } from "./process-output.ts";

export interface PoolStats {
  /** Connections of the replicas to PgBouncer, and of PgBouncer to PostgreSQL. */
  readonly clientConnections: number;
  readonly serverConnections: number;
  readonly transactions: number;
}

export interface PgBouncer {
  /** The same database reached through PgBouncer, with the password PgBouncer asks for. */
  pooled(directUrl: string): string;
  /** PgBouncer's SHOW POOLS / SHOW STATS, per database. */
  pools(): Promise<Map<string, PoolStats>>;
  stop(): Promise<void>;
}

/**
 * Debian's PgBouncer in transaction mode in front of the test server (trust auth on
 * 127.0.0.1), on a port of its own, with a generated configuration: every database of the
 * server, clients authenticating with SCRAM and a password generated for this run.
 */
export async function startPgBouncer(serverUrl: string): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username) || "postgres";
  const password = randomBytes(18).toString("base64url");
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "broker-pgbouncer-"));
  const config = [
    "[databases]",
    `* = host=${server.hostname} port=${server.port || 5432}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = scram-sha-256",
    `auth_file = ${path.join(dir, "userlist.txt")}`,
    `admin_users = ${user}`,
    "pool_mode = transaction",
    "max_client_conn = 500",
    "default_pool_size = 20",
    // PgBouncer refuses to run as root: it switches to an unprivileged user.
    ...(process.getuid?.() === 0 ? ["user = nobody"] : []),
  ].join("\n");
  await writeFile(path.join(dir, "pgbouncer.ini"), `${config}\n`, { mode: 0o644 });
  await writeFile(path.join(dir, "userlist.txt"), `"${user}" "${password}"\n`, { mode: 0o644 });
  await chmod(dir, 0o755);

  const child = spawn("pgbouncer", [path.join(dir, "pgbouncer.ini")], { stdio: "pipe" });
  await waitForOutput(child, /process up/, "pgbouncer");

  const pooled = (directUrl: string) => {
    const url = new URL(directUrl);
    url.host = `127.0.0.1:${port}`;
    url.username = encodeURIComponent(user);
    url.password = password;
    return url.href;
  };

  return {
    pooled,
    async pools() {
      const admin = new pg.Client({
        connectionString: pooled(databaseUrl(serverUrl, "pgbouncer")),
      });
      await admin.connect();
      try {
        const pools = (await admin.query("SHOW POOLS")).rows;
        const stats = (await admin.query("SHOW STATS")).rows;
        const result = new Map<string, PoolStats>();
        for (const row of stats) {
          const pool = pools.find((candidate) => candidate.database === row.database);
          const sum = (...columns: string[]) =>
            columns.reduce((total, column) => total + Number(pool?.[column] ?? 0), 0);
          result.set(row.database, {
            clientConnections: sum("cl_active", "cl_waiting"),
            serverConnections: sum("sv_active", "sv_idle", "sv_used"),
            transactions: Number(row.total_xact_count),
          });
        }
        return result;
      } finally {
        await admin.end();
      }
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

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}
