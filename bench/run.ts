/**
 * `pnpm bench`: the token path against the machine's limit for it, one RS256 signature plus
 * one bare HTTP exchange. Starts the services in production mode against PostgreSQL
 * (throw-away databases on the server of DATABASE_URL, default the local one; rate-limit
 * counters in REDIS_URL, default the local one), seeds realistic data, then measures side by
 * side: R (signing), H (a bare Fastify route giving the same answer), S (SaaS direct, every
 * feature on), S with rate limits off, M (through self-managed), S with 200,000 users, the
 * cold path, CPU time per request and each service's resident memory. Prints a table with
 * each target met or missed, writes a JSON file, and fails if any measured request got a
 * non-2xx answer. BENCH_CPU_PROF=1 also profiles every service (--cpu-prof) and prints where
 * their time went.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setUpFlow } from "@token-broker/service-runner/setup";
import pg from "pg";
import { type BareServer, startBareServer } from "./bare.ts";
import { benchDatabases } from "./databases.ts";
import { type LoadResult, measureTokenRequests, median } from "./load.ts";
import { databaseBackendSeconds, machineBusySeconds } from "./process-stats.ts";
import { summarizeProfiles } from "./profile-summary.ts";
import { waitForQuietCpu } from "./quiet-cpu.ts";
import { type Measurements, table, targets, writeResults } from "./report.ts";
import { seedUsers } from "./seed.ts";
import { type BenchService, startBenchService } from "./services.ts";
import { measureSigning } from "./signing.ts";
import { sampleAnswer } from "./token-answer.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const WARMUP_S = 3;
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_LARGE_USERS ?? 200_000);
const SAMPLE = 2_000;
/** Tokens of the large instance kept aside for the cold run (never requested before it). */
const COLD_SAMPLE = 40_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE = process.env.BENCH_CPU_PROF === "1";
const KEY_BASE = "bench-key-base-0123456789abcdefghijklmnop";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const resultsDir = path.join(root, "bench", "results");
const profileDir = path.join(resultsDir, "profiles");

function step(message: string) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

const databases = benchDatabases(adminUrl);
// Reads which PostgreSQL processes serve the bench's databases (their CPU time per request).
const pgAdmin = new pg.Client({ connectionString: adminUrl });
const processes: (BenchService | BareServer)[] = [];
let failed = false;
try {
  step(`creating databases ${databases.prefix}_* on ${new URL(adminUrl).host}`);
  await pgAdmin.connect();
  const [saasSmallUrl, saasLargeUrl, selfManagedUrl] = await Promise.all(
    ["saas_small", "saas_large", "self_managed"].map(databases.create),
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
  step(`starting the services (production mode${PROFILE ? ", profiled" : ""})`);
  const logDir = path.join(resultsDir, "logs");
  await mkdir(logDir, { recursive: true });
  if (PROFILE) await rm(profileDir, { recursive: true, force: true });
  const saasRootToken = `glpat-${randomBytes(15).toString("base64url")}`;
  const selfManagedRootToken = `glpat-${randomBytes(15).toString("base64url")}`;
  // Rate limits on, counted in Redis as replicas count them, and high enough that the load
  // (thousands of requests per user and minute) measures their cost, not their refusals.
  // Metrics are always on.
  const common = { DB_KEY_BASE: KEY_BASE };
  const limited = {
    ...common,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${databases.prefix}:`,
    TOKENS_RATE_LIMIT_PER_USER: "10000000",
    TOKENS_RATE_LIMIT_PER_INSTANCE: "10000000",
  };
  const start = async (
    service: "saas" | "self-managed",
    name: string,
    env: (url: string) => NodeJS.ProcessEnv,
  ) => {
    const nodeArgs = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}/${name}`] : [];
    const started = await startBenchService({ service, name, env, logDir, nodeArgs });
    processes.push(started);
    return started;
  };
  const saasSmall = await start("saas", "saas-1k", (url) => ({
    ...limited,
    DATABASE_URL: saasSmallUrl,
    INITIAL_ROOT_TOKEN: saasRootToken,
    EXTERNAL_URL: url,
  }));
  // A replica of the same instance with the rate limits off: what they cost.
  const saasNoLimits = await start("saas", "saas-1k-no-limits", () => ({
    ...common,
    DATABASE_URL: saasSmallUrl,
    EXTERNAL_URL: saasSmall.url,
    TOKENS_RATE_LIMIT_PER_USER: "0",
    TOKENS_RATE_LIMIT_PER_INSTANCE: "0",
  }));
  const saasLarge = await start("saas", `saas-${LARGE / 1000}k`, (url) => ({
    ...limited,
    DATABASE_URL: saasLargeUrl,
    EXTERNAL_URL: url,
  }));
  const selfManaged = await start("self-managed", "self-managed", () => ({
    ...limited,
    DATABASE_URL: selfManagedUrl,
    INITIAL_ROOT_TOKEN: selfManagedRootToken,
    SAAS_URL: saasSmall.url,
  }));
  await setUpFlow({
    saasUrl: saasSmall.url,
    selfManagedUrl: selfManaged.url,
    saasRootToken,
    selfManagedRootToken,
  });
  const databaseOf = new Map<BenchService | BareServer, string[]>([
    [saasSmall, [saasSmallUrl as string]],
    [saasNoLimits, [saasSmallUrl as string]],
    [saasLarge, [saasLargeUrl as string]],
    [selfManaged, [selfManagedUrl as string]],
  ]);
  const databasesOf = (involved: (BenchService | BareServer)[]) =>
    involved.flatMap((service) =>
      (databaseOf.get(service) ?? []).map((url) => new URL(url).pathname.slice(1)),
    );
  const answer = await sampleAnswer(saasSmall.url, small.tokens[0] as string);
  const bare = await startBareServer(answer);
  processes.push(bare);
  // The least a hop can cost: a bare relay (no checks, limits, metrics or logs) to SaaS.
  const relay = await startBareServer({ ...answer, upstream: saasSmall.url });
  processes.push(relay);

  const load = async (url: string, tokens: readonly string[], durationSeconds = DURATION_S) => {
    await waitForQuietCpu();
    return measureTokenRequests({ url, tokens, connections: CONNECTIONS, durationSeconds });
  };
  // CPU time each process spent per request of a run: what a token costs each process, and
  // the whole machine (load generator, PostgreSQL and Redis included).
  const cpuPerRequest: Record<string, number[]> = {};
  const measureCpu = async (
    label: string,
    run: () => Promise<LoadResult>,
    involved: (BenchService | BareServer)[],
  ) => {
    const counters = [
      ...involved.map((service) => ({ name: service.name, seconds: service.cpuSeconds })),
      { name: "whole machine", seconds: machineBusySeconds },
    ];
    const before = await Promise.all(counters.map((counter) => counter.seconds()));
    const backendsBefore = await databaseBackendSeconds(pgAdmin, databasesOf(involved));
    const result = await run();
    const after = await Promise.all(counters.map((counter) => counter.seconds()));
    const backendsAfter = await databaseBackendSeconds(pgAdmin, databasesOf(involved));
    const record = (name: string, seconds: number) => {
      const key = `${label}: ${name}`;
      const micros = (seconds * 1e6) / Math.max(1, result.total);
      cpuPerRequest[key] = [...(cpuPerRequest[key] ?? []), micros];
    };
    counters.forEach((counter, i) => {
      record(counter.name, (after[i] ?? 0) - (before[i] ?? 0));
    });
    if (databasesOf(involved).length > 0) {
      let backends = 0;
      for (const [pid, used] of backendsAfter) backends += used - (backendsBefore.get(pid) ?? 0);
      record("PostgreSQL (its databases)", backends);
    }
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

  step("warming up");
  await warmUp(bare.url, small.tokens);
  await warmUp(saasSmall.url, small.tokens);
  await warmUp(saasNoLimits.url, small.tokens);
  await warmUp(selfManaged.url, selfManagedUsers.tokens);
  await warmUp(relay.url, small.tokens);
  await warmUp(saasLarge.url, large.tokens.slice(0, SAMPLE));

  // After the warm-up (a warm process), with tokens the warm-up never sent.
  step(`cold: SaaS with ${LARGE} users, every request a user not seen before (${DURATION_S} s)`);
  const cold = await measureCpu("cold", () => load(saasLarge.url, large.tokens.slice(SAMPLE)), [
    saasLarge,
  ]);

  const plan = [
    ["bare", "H", bare, small.tokens, [bare]],
    ["direct", "S", saasSmall, small.tokens, [saasSmall]],
    ["directNoLimits", "S no limits", saasNoLimits, small.tokens, [saasNoLimits]],
    ["proxied", "M", selfManaged, selfManagedUsers.tokens, [selfManaged, saasSmall]],
    ["relayed", "M floor", relay, small.tokens, [relay, saasSmall]],
    ["directLarge", "S large", saasLarge, large.tokens.slice(0, SAMPLE), [saasLarge]],
  ] as const;
  const rounds: Record<string, LoadResult[]> = {};
  const signatures: { jose: number[]; nodeCrypto: number[] } = { jose: [], nodeCrypto: [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    step(
      `round ${round}/${ROUNDS}: R (${CONNECTIONS} signatures in flight), ${plan.map(([, label]) => label).join(", ")} (${CONNECTIONS} connections); ${DURATION_S} s each`,
    );
    await waitForQuietCpu();
    const signed = await measureSigning({
      inFlight: CONNECTIONS,
      durationMs: (DURATION_S * 1000) / 2,
    });
    signatures.jose.push(signed.jose);
    signatures.nodeCrypto.push(signed.nodeCrypto);
    for (const [key, label, target, tokens, involved] of plan) {
      const result = await measureCpu(label, () => load(target.url, tokens), [...involved]);
      rounds[key] = [...(rounds[key] ?? []), result];
    }
  }
  const medianOf = (key: string) => median(rounds[key] ?? []);
  const middle = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const measurements: Measurements = {
    signing: middle(signatures.jose),
    signingNodeCrypto: middle(signatures.nodeCrypto),
    bare: medianOf("bare"),
    direct: medianOf("direct"),
    directNoLimits: medianOf("directNoLimits"),
    proxied: medianOf("proxied"),
    relayed: medianOf("relayed"),
    directLarge: medianOf("directLarge"),
    cold,
  };

  const memory = Object.fromEntries(
    await Promise.all(
      processes
        .filter((service) => service !== bare && service !== relay)
        .map(async (service) => [service.name, await service.residentMiB()] as const),
    ),
  );
  const cpuMicros = Object.fromEntries(
    Object.entries(cpuPerRequest).map(([name, values]) => [name, middle(values)]),
  );
  const checked = targets(measurements, memory, LARGE);
  const cpu = os.cpus();
  const header = `${new Date().toISOString().slice(0, 10)}, ${cpu.length} CPUs (${cpu[0]?.model ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${CONNECTIONS} connections, median of ${ROUNDS} runs of ${DURATION_S} s`;
  const lines = table({ measurements, targets: checked, cpuMicros, header, largeUsers: LARGE });
  process.stdout.write(`${lines.join("\n")}\n`);
  const refused = checked.find((t) => t.name.startsWith("non-2xx"));
  failed = refused !== undefined && !refused.met;

  const file = await writeResults(resultsDir, {
    settings: {
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      users: { small: SMALL, large: LARGE },
      distinctTokens: SAMPLE,
    },
    measurements,
    rounds,
    signatures,
    targets: checked,
    residentMiB: memory,
    cpuMicrosecondsPerRequest: cpuMicros,
  });
  step(`results written to ${path.relative(process.cwd(), file)}`);
} catch (error) {
  failed = true;
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await Promise.all(processes.map((service) => service.stop()));
  await pgAdmin.end().catch(() => undefined);
  await databases.dropAll();
}
if (PROFILE) {
  const names = ["saas-1k", "self-managed", `saas-${LARGE / 1000}k`];
  for (const name of names) {
    const lines = await summarizeProfiles(path.join(profileDir, name)).catch(() => []);
    process.stdout.write(`\nCPU profile of ${name}\n${lines.join("\n")}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
