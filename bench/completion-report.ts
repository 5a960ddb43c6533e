/**
 * The completion rows' table and targets: each row's rate, latency and time to the first
 * body byte; G and I against D (throughput ratio, what each adds to p50 and to the first
 * byte); memory during the most concurrent streams; failed requests.
 */
import type { CompletionResult } from "./completion-load.ts";
import { type Target, target, targetLines } from "./report.ts";

/** Every run of each row, by `<path> <mode> <editors>`. */
export type CompletedRows = Record<string, CompletionResult[]>;

export const PATHS = ["D", "F", "G", "I"] as const;
export type CompletionPath = (typeof PATHS)[number];
export const MODES = ["JSON", "stream"] as const;
export type Mode = (typeof MODES)[number];

const DESCRIPTIONS: Record<CompletionPath, string> = {
  D: "D  straight to the stand-in",
  F: "F  floor: a bare relay to the stand-in",
  G: "G  through the gateway",
  I: "I  through self-managed + gateway",
};
/** Issue 22's targets for each hop: throughput against D, p50 and first byte added (ms). */
const BOUNDS = {
  G: { ratio: 0.9, p50: 2, firstByte: 2 },
  I: { ratio: 0.8, p50: 4, firstByte: 2 },
} as const;
const RESIDENT_LIMIT_MIB = 250;

interface Rows {
  readonly medians: Readonly<Record<string, CompletionResult>>;
  readonly editors: readonly number[];
  /** Paths whose rows could not be measured, and why. */
  readonly notMeasured: Readonly<Partial<Record<CompletionPath, string>>>;
  /** The highest resident memory of each process during the most concurrent streams. */
  readonly peakDuringStreams: Readonly<Record<string, number>>;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function completionTargets(options: Rows & { services: readonly string[] }): Target[] {
  const checked: Target[] = [];
  for (const mode of MODES) {
    for (const editors of options.editors) {
      const direct = options.medians[`D ${mode} ${editors}`];
      for (const path of ["G", "I"] as const) {
        const hop = options.medians[`${path} ${mode} ${editors}`];
        if (direct === undefined || hop === undefined) continue;
        const bounds = BOUNDS[path];
        const ratio = hop.requestsPerSecond / direct.requestsPerSecond;
        checked.push(target(`${path}/D ${mode} ${editors}`, ratio, "≥", bounds.ratio));
        checked.push(
          target(`${path}−D p50 ${mode} ${editors} (ms)`, hop.p50 - direct.p50, "≤", bounds.p50),
        );
        if (mode === "stream") {
          const added = hop.firstByteP50 - direct.firstByteP50;
          checked.push(target(`${path}−D 1st byte ${editors} (ms)`, added, "≤", bounds.firstByte));
        }
      }
    }
  }
  const most = Math.max(...options.editors);
  for (const name of options.services) {
    const mib = options.peakDuringStreams[name] ?? Number.NaN;
    checked.push(target(`RSS ${name}, ${most} streams (MiB)`, mib, "<", RESIDENT_LIMIT_MIB));
  }
  const failed = Object.values(options.medians).reduce(
    (sum, run) => sum + run.non2xx + run.errors,
    0,
  );
  checked.push({ ...target("failed completions", failed, "≤", 0), failsRun: true });
  return checked;
}

/**
 * F against D: what a hop that only relays each chunk costs on this machine (no target: it
 * is the least G's and I's hops can add, however little they do besides).
 */
function floorLines(options: Rows): string[] {
  const lines: string[] = [];
  for (const mode of MODES) {
    for (const editors of options.editors) {
      const direct = options.medians[`D ${mode} ${editors}`];
      const floor = options.medians[`F ${mode} ${editors}`];
      if (direct === undefined || floor === undefined) continue;
      const ratio = (floor.requestsPerSecond / direct.requestsPerSecond).toFixed(3);
      const p50 = (floor.p50 - direct.p50).toFixed(1);
      const first = (floor.firstByteP50 - direct.firstByteP50).toFixed(1);
      lines.push(
        `a bare relay (F), ${mode} ${editors}: F/D ${ratio}, F−D p50 ${p50} ms${mode === "stream" ? `, 1st byte ${first} ms` : ""}`,
      );
    }
  }
  return lines;
}

function row(name: string, editors: number, run: CompletionResult): string {
  const cells = [
    `${run.requestsPerSecond.toFixed(0)}/s`,
    ms(run.p50),
    ms(run.p99),
    ms(run.firstByteP50),
    ms(run.firstByteP99),
  ];
  return `${name.padEnd(44)}${String(editors).padStart(8)}${cells.map((cell) => cell.padStart(10)).join("")}${String(run.non2xx + run.errors).padStart(8)}`;
}

export function completionTable(
  options: Rows & {
    header: string;
    targets: readonly Target[];
    cpuMicros: Readonly<Record<string, number>>;
    residentAfter: Readonly<Record<string, number>>;
  },
): string[] {
  const lines = [
    "",
    options.header,
    "",
    `${"row".padEnd(44)}${"editors".padStart(8)}${["rate", "p50", "p99", "1st byte", "1st p99"].map((h) => h.padStart(10)).join("")}${"failed".padStart(8)}`,
  ];
  for (const mode of MODES) {
    for (const editors of options.editors) {
      for (const path of PATHS) {
        const name = `${DESCRIPTIONS[path]}, ${mode}`;
        const run = options.medians[`${path} ${mode} ${editors}`];
        const reason = options.notMeasured[path];
        if (run !== undefined) lines.push(row(name, editors, run));
        else if (reason !== undefined)
          lines.push(`${name.padEnd(44)}${String(editors).padStart(8)}  not measured: ${reason}`);
      }
    }
  }
  const most = Math.max(...options.editors);
  const memory = (values: Readonly<Record<string, number>>) =>
    Object.entries(values)
      .map(([name, mib]) => `${name} ${mib.toFixed(0)}`)
      .join(", ");
  return [
    ...lines,
    "",
    ...floorLines(options),
    "",
    ...targetLines(options.targets),
    ...Object.entries(options.notMeasured).map(
      ([path, reason]) => `${path}/D, ${path}−D p50 and 1st byte: not measured: ${reason}`,
    ),
    "",
    `resident memory (MiB): highest during ${most} streams: ${memory(options.peakDuringStreams)}; after the rows: ${memory(options.residentAfter)}`,
    "",
    "CPU time per completion (median of the runs; user + system; the whole machine includes the load generator, PostgreSQL, Redis and anything else running):",
    ...Object.entries(options.cpuMicros).map(
      ([name, micros]) => `  ${name.padEnd(48)}${`${micros.toFixed(0)} µs`.padStart(10)}`,
    ),
  ];
}
