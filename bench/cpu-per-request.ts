import type pg from "pg";
import { databaseBackendSeconds, machineBusySeconds, type ProcessStats } from "./process-stats.ts";

export interface MeasuredProcess extends ProcessStats {
  readonly name: string;
}

/**
 * CPU time each process spent per request of a run: what a request costs each process, the
 * whole machine (load generator, PostgreSQL and Redis included) and the PostgreSQL backends
 * of the processes' databases. Each label keeps one value per run; `medians()` gives the
 * median of each.
 */
export function cpuPerRequest(options: {
  pgAdmin: pg.Client;
  /** The names of the databases these processes use. */
  databasesOf: (involved: readonly MeasuredProcess[]) => string[];
}) {
  const perRequest: Record<string, number[]> = {};
  async function measure<Result extends { readonly total: number }>(
    label: string,
    run: () => Promise<Result>,
    involved: readonly MeasuredProcess[],
  ): Promise<Result> {
    const counters = [
      ...involved.map((service) => ({ name: service.name, seconds: service.cpuSeconds })),
      { name: "whole machine", seconds: machineBusySeconds },
    ];
    const databases = options.databasesOf(involved);
    const before = await Promise.all(counters.map((counter) => counter.seconds()));
    const backendsBefore = await databaseBackendSeconds(options.pgAdmin, databases);
    const result = await run();
    const after = await Promise.all(counters.map((counter) => counter.seconds()));
    const backendsAfter = await databaseBackendSeconds(options.pgAdmin, databases);
    const record = (name: string, seconds: number) => {
      const key = `${label}: ${name}`;
      const micros = (seconds * 1e6) / Math.max(1, result.total);
      perRequest[key] = [...(perRequest[key] ?? []), micros];
    };
    counters.forEach((counter, i) => {
      record(counter.name, (after[i] ?? 0) - (before[i] ?? 0));
    });
    if (databases.length > 0) {
      let backends = 0;
      for (const [pid, used] of backendsAfter) backends += used - (backendsBefore.get(pid) ?? 0);
      record("PostgreSQL (its databases)", backends);
    }
    return result;
  }
  return {
    measure,
    /** Microseconds per request, the median of the runs, by `<label>: <process>`. */
    medians(): Record<string, number> {
      return Object.fromEntries(
        Object.entries(perRequest).map(([name, values]) => [name, middle(values)]),
      );
    },
  };
}

/** The middle value (of an even count, the upper of the two). */
export function middle(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}
