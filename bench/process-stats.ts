import { readFile } from "node:fs/promises";
import type pg from "pg";

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

/** What the benchmark reads of a process it started (from /proc, Linux only). */
export interface ProcessStats {
  /** Resident memory now, in MiB. */
  residentMiB(): Promise<number>;
  /** CPU time the process has used so far (user + system), in seconds. */
  cpuSeconds(): Promise<number>;
}

export function processStats(pid: number | undefined): ProcessStats {
  return {
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
  };
}

/**
 * CPU time the whole machine has spent busy so far (every process: the services, the load
 * generator, PostgreSQL, Redis, and anything else running), in seconds (from /proc/stat).
 */
export async function machineBusySeconds(): Promise<number> {
  const [line] = (await readFile("/proc/stat", "utf8")).split("\n");
  const values = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return (total - idle) / CLOCK_TICKS;
}

/**
 * CPU time used so far by the PostgreSQL backends serving `databases` (each connection is a
 * process on the local server), by process id: a connection opened during a run counts whole.
 */
export async function databaseBackendSeconds(
  client: pg.Client,
  databases: readonly string[],
): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[])",
    [databases],
  );
  const seconds = new Map<number, number>();
  for (const { pid } of rows) {
    // Ended since: nothing to read.
    const used = await processStats(pid)
      .cpuSeconds()
      .catch(() => undefined);
    if (used !== undefined) seconds.set(pid, used);
  }
  return seconds;
}

/**
 * The highest resident memory of each process while a run goes on, sampled every
 * `intervalMs`: `stop()` ends the sampling and resolves with MiB by process name.
 */
export function watchPeakResident(
  processes: readonly ({ readonly name: string } & ProcessStats)[],
  intervalMs = 250,
): { stop(): Promise<Record<string, number>> } {
  const peak: Record<string, number> = {};
  const sample = async () => {
    await Promise.all(
      processes.map(async (process) => {
        const mib = await process.residentMiB().catch(() => Number.NaN);
        if (Number.isFinite(mib) && mib > (peak[process.name] ?? 0)) peak[process.name] = mib;
      }),
    );
  };
  const timer = setInterval(() => void sample(), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return peak;
    },
  };
}
