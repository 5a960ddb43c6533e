/**
 * `pnpm bench`: the token path against its physical limit, one RS256 signature.
 * Starts the services in production mode against PostgreSQL (throw-away databases on the
 * server of DATABASE_URL, default the local one; rate-limit counters in REDIS_URL, default the
 * local one), seeds realistic data, then measures side
 * by side: R (signing), S (SaaS direct), M (through self-managed), S with 1,000 and with
 * 200,000 users, and each service's resident memory. Prints a table, writes a JSON file, and
 * fails if any measured request got a non-2xx answer.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@token-broker/db";
import { applyMigrations } from "@token-broker/db/migrations";
import { setUpFlow } from "@token-broker/service-runner/setup";
import pg from "pg";
import { type LoadResult, measureTokenRequests, median } from "./load.ts";
import { waitForQuietCpu } from "./quiet-cpu.ts";
import { seedUsers } from "./seed.ts";
import { type BenchService, startBenchService } from "./services.ts";
import { measureSigning } from "./signing.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = 3;
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_LARGE_USERS ?? 200_000);
const SAMPLE = 2_000;
/** Tokens of the large instance kept aside for the cold run (never requested before it). */
const COLD_SAMPLE = 40_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY_BASE = "bench-key-base-0123456789abcdefghijklmnop";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `bench_${randomBytes(3).toString("hex")}`;
const databaseUrl = (name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
};

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase(suffix: string): Promise<string> {
  const name = `${prefix}_${suffix}`;
  await admin(`CREATE DATABASE "${name}"`);
  const database = await openDatabase({ kind: "postgres", url: databaseUrl(name) });
  try {
    await applyMigrations(database);
  } finally {
    await database.close();
  }
  return databaseUrl(name);
}

function step(message: string) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

const services: BenchService[] = [];
const databases = ["saas_small", "saas_large", "self_managed"];
let failed = false;
try {
  step(`creating databases ${prefix}_* on ${new URL(adminUrl).host}`);
  const [saasSmallUrl, saasLargeUrl, selfManagedUrl] = await Promise.all(
    databases.map(createDatabase),
  );

  step(`seeding ${SMALL} and ${LARGE} users on SaaS, ${SMALL} on self-managed`);
  const [small, large, selfManagedUsers] = await Promise.all([
    seedUsers(saasSmallUrl as string, { users: SMALL, keyBase: KEY_BASE, sample: SAMPLE }),
    seedUsers(saasLargeUrl as string, {
      users: LARGE,
      keyBase: KEY_BASE,
      sample: SAMPLE + COLD_SAMPLE,
    }),
    seedUsers(selfManagedUrl as string, { users: SMALL, keyBase: KEY_BASE, sample: SAMPLE }),
  ]);

  step("building the service bundles (pnpm build)");
  execFileSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "build.ts")], {
    stdio: "inherit",
  });
  step("starting the services (production mode)");
  const logDir = path.join(root, "bench", "results", "logs");
  await mkdir(logDir, { recursive: true });
  const saasRootToken = `glpat-${randomBytes(15).toString("base64url")}`;
  const selfManagedRootToken = `glpat-${randomBytes(15).toString("base64url")}`;
  // Rate limits on, counted in Redis as replicas count them, and high enough that the load
  // (thousands of requests per user and minute) measures their cost, not their refusals.
  // Metrics are on by default.
  const common = {
    DB_KEY_BASE: KEY_BASE,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${prefix}:`,
    TOKENS_RATE_LIMIT_PER_USER: "10000000",
    TOKENS_RATE_LIMIT_PER_INSTANCE: "10000000",
  };
  const saasSmall = await startBenchService({
    service: "saas",
    name: "saas-1k",
    port: 4101,
    logDir,
    env: {
      ...common,
      DATABASE_URL: saasSmallUrl,
      INITIAL_ROOT_TOKEN: saasRootToken,
      EXTERNAL_URL: "http://127.0.0.1:4101",
    },
  });
  services.push(saasSmall);
  const saasLarge = await startBenchService({
    service: "saas",
    name: `saas-${LARGE / 1000}k`,
    port: 4102,
    logDir,
    env: { ...common, DATABASE_URL: saasLargeUrl, EXTERNAL_URL: "http://127.0.0.1:4102" },
  });
  services.push(saasLarge);
  const selfManaged = await startBenchService({
    service: "self-managed",
    name: "self-managed",
    port: 4100,
    logDir,
    env: {
      ...common,
      DATABASE_URL: selfManagedUrl,
      INITIAL_ROOT_TOKEN: selfManagedRootToken,
      SAAS_URL: saasSmall.url,
    },
  });
  services.push(selfManaged);
  await setUpFlow({
    saasUrl: saasSmall.url,
    selfManagedUrl: selfManaged.url,
    saasRootToken,
    selfManagedRootToken,
  });

  const load = async (url: string, tokens: readonly string[], durationSeconds = DURATION_S) => {
    await waitForQuietCpu();
    return measureTokenRequests({ url, tokens, connections: CONNECTIONS, durationSeconds });
  };
  // CPU time each service spent per request of a run: what a token costs each process.
  const cpuPerRequest: Record<string, number[]> = {};
  const measureCpu = async (
    label: string,
    run: () => Promise<LoadResult>,
    involved: BenchService[],
  ) => {
    const before = await Promise.all(involved.map((service) => service.cpuSeconds()));
    const result = await run();
    const after = await Promise.all(involved.map((service) => service.cpuSeconds()));
    involved.forEach((service, i) => {
      const key = `${label}: ${service.name}`;
      const micros = (((after[i] ?? 0) - (before[i] ?? 0)) * 1e6) / Math.max(1, result.total);
      cpuPerRequest[key] = [...(cpuPerRequest[key] ?? []), micros];
    });
    return result;
  };
  // Warm-up: every token of a run once (the steady state the runs measure), then a few
  // seconds of load.
  const warmUp = async (url: string, tokens: readonly string[]) => {
    await measureTokenRequests({ url, tokens, connections: CONNECTIONS, amount: tokens.length });
    await measureTokenRequests({
      url,
      tokens,
      connections: CONNECTIONS,
      durationSeconds: WARMUP_S,
    });
  };

  step(`R: RS256 signing with jose, ${CONNECTIONS} in flight`);
  await waitForQuietCpu();
  const signing = await measureSigning({ inFlight: CONNECTIONS, durationMs: DURATION_S * 1000 });

  step(
    `cold: SaaS with ${LARGE} users, every request a user not seen before (${DURATION_S} s, informative)`,
  );
  const cold = await load(saasLarge.url, large.tokens.slice(SAMPLE));

  step("warming up the three services");
  await warmUp(saasSmall.url, small.tokens);
  await warmUp(selfManaged.url, selfManagedUsers.tokens);
  await warmUp(saasLarge.url, large.tokens.slice(0, SAMPLE));

  const runs = {
    direct: [] as LoadResult[],
    proxied: [] as LoadResult[],
    directLarge: [] as LoadResult[],
  };
  for (let round = 1; round <= ROUNDS; round += 1) {
    step(
      `round ${round}/${ROUNDS}: S, M and S with ${LARGE} users, ${CONNECTIONS} connections, ${DURATION_S} s each`,
    );
    runs.direct.push(await measureCpu("S", () => load(saasSmall.url, small.tokens), [saasSmall]));
    runs.proxied.push(
      await measureCpu("M", () => load(selfManaged.url, selfManagedUsers.tokens), [
        selfManaged,
        saasSmall,
      ]),
    );
    runs.directLarge.push(
      await measureCpu("S large", () => load(saasLarge.url, large.tokens.slice(0, SAMPLE)), [
        saasLarge,
      ]),
    );
  }
  const direct = median(runs.direct);
  const proxied = median(runs.proxied);
  const directLarge = median(runs.directLarge);

  const memory = Object.fromEntries(
    await Promise.all(
      services.map(async (service) => [service.name, await service.residentMiB()] as const),
    ),
  );

  const cpuMedians = Object.fromEntries(
    Object.entries(cpuPerRequest).map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [name, sorted[Math.floor(sorted.length / 2)] ?? 0];
    }),
  );
  const ratios = {
    "S/R": direct.requestsPerSecond / signing,
    "M/S": proxied.requestsPerSecond / direct.requestsPerSecond,
    "S(large)/S(1k)": directLarge.requestsPerSecond / direct.requestsPerSecond,
  };
  const targets = { "S/R": 0.4, "M/S": 0.6, "S(large)/S(1k)": 0.85 };
  const rows = [
    ["R  RS256 signatures (jose)", `${signing.toFixed(0)}/s`, "", ""],
    [
      "S  SaaS direct (1k users)",
      `${direct.requestsPerSecond.toFixed(0)}/s`,
      `${direct.p50} ms`,
      `${direct.p99} ms`,
    ],
    [
      "M  through self-managed",
      `${proxied.requestsPerSecond.toFixed(0)}/s`,
      `${proxied.p50} ms`,
      `${proxied.p99} ms`,
    ],
    [
      `S  SaaS direct (${LARGE} users)`,
      `${directLarge.requestsPerSecond.toFixed(0)}/s`,
      `${directLarge.p50} ms`,
      `${directLarge.p99} ms`,
    ],
    [
      "   cold: every request a new user",
      `${cold.requestsPerSecond.toFixed(0)}/s`,
      `${cold.p50} ms`,
      `${cold.p99} ms`,
    ],
  ];
  const lines = [
    "",
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}, ${CONNECTIONS} connections, median of ${ROUNDS} runs of ${DURATION_S} s`,
    "",
    `${"measurement".padEnd(34)}${"rate".padStart(10)}${"p50".padStart(10)}${"p99".padStart(10)}`,
    ...rows.map(
      ([name, rate, p50, p99]) =>
        `${name?.padEnd(34)}${rate?.padStart(10)}${p50?.padStart(10)}${p99?.padStart(10)}`,
    ),
    "",
    ...Object.entries(ratios).map(
      ([name, value]) =>
        `${name.padEnd(16)}${value.toFixed(2).padStart(6)}   target ≥ ${targets[name as keyof typeof targets]}  ${
          value >= targets[name as keyof typeof targets] ? "met" : "NOT MET"
        }`,
    ),
    "",
    "CPU time per token request (median of the runs; user + system):",
    ...Object.entries(cpuMedians).map(
      ([name, micros]) => `  ${name.padEnd(32)}${`${micros.toFixed(0)} µs`.padStart(10)}`,
    ),
    "",
    ...Object.entries(memory).map(
      ([name, mib]) =>
        `${`resident memory ${name}`.padEnd(34)}${`${mib.toFixed(0)} MiB`.padStart(10)}   target < 200 MiB  ${mib < 200 ? "met" : "NOT MET"}`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);

  const measured = { direct, proxied, directLarge, cold };
  const refused = Object.entries(measured).filter(([, run]) => run.non2xx > 0 || run.errors > 0);
  for (const [name, run] of refused) {
    process.stderr.write(`${name}: ${run.non2xx} non-2xx answers, ${run.errors} errors\n`);
  }
  failed = refused.length > 0;

  const resultsDir = path.join(root, "bench", "results");
  const file = path.join(
    resultsDir,
    `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
  );
  await writeFile(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          memoryGiB: os.totalmem() / 2 ** 30,
          node: process.version,
          platform: `${os.type()} ${os.release()}`,
        },
        settings: {
          connections: CONNECTIONS,
          durationSeconds: DURATION_S,
          warmupSeconds: WARMUP_S,
          users: { small: SMALL, large: LARGE },
          distinctTokens: SAMPLE,
        },
        signingPerSecond: signing,
        runs: measured,
        rounds: runs,
        ratios,
        targets,
        residentMiB: memory,
        cpuMicrosecondsPerRequest: cpuMedians,
      },
      null,
      2,
    )}\n`,
  );
  step(`results written to ${path.relative(process.cwd(), file)}`);
} catch (error) {
  failed = true;
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await Promise.all(services.map((service) => service.stop()));
  for (const suffix of databases) {
    await admin(`DROP DATABASE IF EXISTS "${prefix}_${suffix}" WITH (FORCE)`).catch(
      () => undefined,
    );
  }
}
process.exitCode = failed ? 1 : 0;
