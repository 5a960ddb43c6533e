/**
 * The benchmark's table: each measurement's rate and latencies, the limit L, the ratios
 * against their targets, CPU time per request and resident memory.
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LoadResult } from "./load.ts";

export interface Measurements {
  /** R: RS256 signatures per second (jose, as SaaS signs). */
  readonly signing: number;
  /** The same with node:crypto's asynchronous sign: informative. */
  readonly signingNodeCrypto: number;
  /** H: the bare HTTP exchange. */
  readonly bare: LoadResult;
  /** S: SaaS, every feature on (rate limits in Redis, metrics). */
  readonly direct: LoadResult;
  /** S with its rate limits off (no Redis). */
  readonly directNoLimits: LoadResult;
  /** M: through self-managed. */
  readonly proxied: LoadResult;
  /** M's floor: through a bare relay (no checks, limits, metrics or logs) to SaaS. */
  readonly relayed: LoadResult;
  /** S with the large database. */
  readonly directLarge: LoadResult;
  /** S, every request a user not seen before. */
  readonly cold: LoadResult;
}

type Comparison = "≥" | "≤" | "<";

export interface Target {
  readonly name: string;
  readonly value: number;
  readonly comparison: Comparison;
  readonly bound: number;
  readonly met: boolean;
  /** A count of failed requests: the benchmark exits 1 when it is missed. */
  readonly failsRun?: boolean;
}

/** L: the limit of a token request on this machine, one signature plus one bare exchange. */
export function limit(signing: number, bare: number): number {
  return 1 / (1 / signing + 1 / bare);
}

const MET: Record<Comparison, (value: number, bound: number) => boolean> = {
  "≥": (value, bound) => value >= bound,
  "≤": (value, bound) => value <= bound,
  "<": (value, bound) => value < bound,
};

export const target = (
  name: string,
  value: number,
  comparison: Comparison,
  bound: number,
): Target => ({
  name,
  value,
  comparison,
  bound,
  met: MET[comparison](value, bound),
});

/** Each target, its value, its bound and whether it is met, one a line. */
export function targetLines(targets: readonly Target[]): string[] {
  return targets.map(
    (t) =>
      `${t.name.padEnd(28)}${t.value.toFixed(t.value < 10 ? 3 : 0).padStart(8)}   target ${t.comparison} ${t.bound}  ${t.met ? "met" : "MISSED"}`,
  );
}

export function targets(
  m: Measurements,
  memory: Record<string, number>,
  largeUsers: number,
): Target[] {
  const l = limit(m.signing, m.bare.requestsPerSecond);
  const s = m.direct.requestsPerSecond;
  const refused = Object.values(m).reduce(
    (sum: number, run) => sum + (typeof run === "number" ? 0 : run.non2xx + run.errors),
    0,
  );
  return [
    target("S/L", s / l, "≥", 0.7),
    target("M/S", m.proxied.requestsPerSecond / s, "≥", 0.7),
    target("cold/S", m.cold.requestsPerSecond / s, "≥", 0.3),
    target(`S(${largeUsers / 1000}k)/S(1k)`, m.directLarge.requestsPerSecond / s, "≥", 0.9),
    target("S p99/p50", m.direct.p99 / m.direct.p50, "≤", 4),
    target("M p99/p50", m.proxied.p99 / m.proxied.p50, "≤", 4),
    { ...target("non-2xx answers and errors", refused, "≤", 0), failsRun: true },
    ...Object.entries(memory).map(([name, mib]) => target(`RSS ${name} (MiB)`, mib, "<", 200)),
  ];
}

function row(name: string, rate: number, run?: LoadResult): string {
  const cells = [`${rate.toFixed(0)}/s`, run ? `${run.p50} ms` : "", run ? `${run.p99} ms` : ""];
  const counts = run ? `${run.non2xx + run.errors}` : "";
  return `${name.padEnd(38)}${cells.map((cell) => cell.padStart(9)).join("")}${counts.padStart(9)}`;
}

export function table(options: {
  measurements: Measurements;
  targets: Target[];
  cpuMicros: Record<string, number>;
  header: string;
  largeUsers: number;
}): string[] {
  const m = options.measurements;
  const l = limit(m.signing, m.bare.requestsPerSecond);
  const featureCost = 1 - m.direct.requestsPerSecond / m.directNoLimits.requestsPerSecond;
  const cpuCost =
    (options.cpuMicros["S: saas-1k"] ?? 0) -
    (options.cpuMicros["S no limits: saas-1k-no-limits"] ?? 0);
  return [
    "",
    options.header,
    "",
    `${"measurement".padEnd(38)}${["rate", "p50", "p99", "non-2xx"].map((h) => h.padStart(9)).join("")}`,
    row("R  RS256 signatures (jose)", m.signing),
    row("   same with node:crypto sign (async)", m.signingNodeCrypto),
    row("H  bare Fastify, same answer", m.bare.requestsPerSecond, m.bare),
    row("L  limit = 1/(1/R + 1/H)", l),
    row("S  SaaS (1k users), all features on", m.direct.requestsPerSecond, m.direct),
    row(
      "   S with rate limits off (no Redis)",
      m.directNoLimits.requestsPerSecond,
      m.directNoLimits,
    ),
    row("M  through self-managed", m.proxied.requestsPerSecond, m.proxied),
    row("   M floor: bare relay to SaaS", m.relayed.requestsPerSecond, m.relayed),
    row(`S  SaaS (${options.largeUsers} users)`, m.directLarge.requestsPerSecond, m.directLarge),
    row("   cold: every request a new user", m.cold.requestsPerSecond, m.cold),
    "",
    `rate limits in Redis: ${(100 * featureCost).toFixed(0)} % of S's rate, ${cpuCost.toFixed(0)} µs of SaaS CPU per request`,
    "(metrics have no switch: their cost is the onResponse hook's, see BENCH_CPU_PROF=1)",
    `a hop that does nothing but relay: M floor/S ${(m.relayed.requestsPerSecond / m.direct.requestsPerSecond).toFixed(3)}; self-managed's own work: M/M floor ${(m.proxied.requestsPerSecond / m.relayed.requestsPerSecond).toFixed(3)}`,
    "",
    ...targetLines(options.targets),
    "",
    "CPU time per token request (median of the runs; user + system; the whole machine includes the load generator, PostgreSQL, Redis and anything else running):",
    ...Object.entries(options.cpuMicros).map(
      ([name, micros]) => `  ${name.padEnd(44)}${`${micros.toFixed(0)} µs`.padStart(10)}`,
    ),
  ];
}

/** Everything measured, with the machine's facts, as `bench-<date>.json` in `dir`. */
export async function writeResults(dir: string, results: object): Promise<string> {
  const cpu = os.cpus();
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const machine = {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
  const document = { date: new Date().toISOString(), machine, ...results };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}
