import type pg from "pg";
import type { BareServer } from "./bare.ts";
import type { MeasuredProcess } from "./cpu-per-request.ts";
import type { BenchService, ServiceName } from "./services.ts";

/** What `run.ts` sets up once and hands each part of the benchmark (token rows, completion rows). */
export interface BenchContext {
  /** Prints a progress line with the time. */
  step(message: string): void;
  /** A throw-away database of this run, migrated; resolves with its URL. */
  createDatabase(suffix: string): Promise<string>;
  /** Starts a service (stopped when the benchmark ends), its CPU profiled with BENCH_CPU_PROF=1. */
  start(
    service: ServiceName,
    name: string,
    env: (url: string) => NodeJS.ProcessEnv,
    /** The URLs of the databases it uses: their PostgreSQL backends' CPU counts with it. */
    databaseUrls?: readonly string[],
  ): Promise<BenchService>;
  /** Stops this process (started some other way) when the benchmark ends. */
  track(process: BareServer): void;
  /** Reads which PostgreSQL processes serve the bench's databases. */
  readonly pgAdmin: pg.Client;
  /** The names of the databases these processes use. */
  databasesOf(involved: readonly MeasuredProcess[]): string[];
  /** Environment of a service with every feature on (rate limits counted in Redis). */
  readonly limitedEnv: NodeJS.ProcessEnv;
  /** Environment every bench service shares. */
  readonly commonEnv: NodeJS.ProcessEnv;
}
