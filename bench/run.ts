/**
 * `pnpm bench`: the token path against the machine's limit for it (token-rows.ts), and
 * completions straight to a model stand-in, through the AI gateway and through self-managed
 * (completion-rows.ts), in one run. Starts the services in production mode against PostgreSQL
 * (throw-away databases on the server of DATABASE_URL, default the local one; rate-limit
 * counters in REDIS_URL, default the local one), seeds realistic data, sets the flow up, then
 * measures. Prints a table with each target met or missed, writes a JSON file, and fails if
 * any measured request failed. BENCH_ONLY=tokens or BENCH_ONLY=completions runs one part
 * only; BENCH_CPU_PROF=1 also profiles every service (--cpu-prof) and prints where their time
 * went.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setUpFlow } from "@token-broker/service-runner/setup";
import pg from "pg";
import type { BareServer } from "./bare.ts";
import type { BenchContext } from "./bench-context.ts";
import { runCompletionRows } from "./completion-rows.ts";
import { type CompletionServices, startCompletionServices } from "./completion-services.ts";
import { benchDatabases } from "./databases.ts";
import { summarizeProfiles } from "./profile-summary.ts";
import type { Target } from "./report.ts";
import { writeResults } from "./report.ts";
import { seedUsers } from "./seed.ts";
import { completionsRoute } from "./self-managed-completions.ts";
import { type BenchService, startBenchService } from "./services.ts";
import { LARGE_USERS, runTokenRows, SAMPLE } from "./token-rows.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SMALL = 1_000;
const PROFILE = process.env.BENCH_CPU_PROF === "1";
const KEY_BASE = "bench-key-base-0123456789abcdefghijklmnop";
const PARTS = ["tokens", "completions"] as const;
const only = process.env.BENCH_ONLY;
if (only !== undefined && !(PARTS as readonly string[]).includes(only)) {
  process.stderr.write(`BENCH_ONLY must be one of ${PARTS.join(", ")} (got "${only}")\n`);
  process.exit(2);
}
const runs = (part: (typeof PARTS)[number]) => only === undefined || only === part;

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const resultsDir = path.join(root, "bench", "results");
const profileDir = path.join(resultsDir, "profiles");
const logDir = path.join(resultsDir, "logs");

function step(message: string) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

const databases = benchDatabases(adminUrl);
// Reads which PostgreSQL processes serve the bench's databases (their CPU time per request).
const pgAdmin = new pg.Client({ connectionString: adminUrl });
const processes: (BenchService | BareServer)[] = [];
const databaseOf = new Map<string, readonly string[]>();
// Rate limits on, counted in Redis as replicas count them, and high enough that the load
// (thousands of requests per user and minute) measures their cost, not their refusals.
// Metrics are always on.
const commonEnv = { DB_KEY_BASE: KEY_BASE };
const limitedEnv = {
  ...commonEnv,
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: `${databases.prefix}:`,
  TOKENS_RATE_LIMIT_PER_USER: "10000000",
  TOKENS_RATE_LIMIT_PER_INSTANCE: "10000000",
};
const context: BenchContext = {
  step,
  createDatabase: databases.create,
  async start(service, name, env, databaseUrls = []) {
    const nodeArgs = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}/${name}`] : [];
    const started = await startBenchService({ service, name, env, logDir, nodeArgs });
    processes.push(started);
    databaseOf.set(
      name,
      databaseUrls.map((url) => new URL(url).pathname.slice(1)),
    );
    return started;
  },
  track(process) {
    processes.push(process);
  },
  pgAdmin,
  databasesOf: (involved) => involved.flatMap((service) => databaseOf.get(service.name) ?? []),
  limitedEnv,
  commonEnv,
};

const lines: string[] = [];
const targets: Target[] = [];
const results: Record<string, object> = {};
let failed = false;
try {
  step(`creating databases ${databases.prefix}_* on ${new URL(adminUrl).host}`);
  await pgAdmin.connect();
  const [saasSmallUrl, selfManagedUrl] = await Promise.all(
    ["saas_small", "self_managed"].map(databases.create),
  );
  step(`seeding ${SMALL} users on SaaS and ${SMALL} on self-managed`);
  const [small, selfManagedUsers] = await Promise.all([
    seedUsers(saasSmallUrl as string, { users: SMALL, keyBase: KEY_BASE, sample: SAMPLE }),
    seedUsers(selfManagedUrl as string, { users: SMALL, keyBase: KEY_BASE, sample: SAMPLE }),
  ]);

  const bundles = ["saas", "self-managed", ...(runs("completions") ? ["ai-gateway"] : [])];
  step(`building the service bundles (pnpm build ${bundles.join(" ")})`);
  execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(root, "scripts", "build.ts"), ...bundles],
    { stdio: "inherit" },
  );
  step(`starting the services (production mode${PROFILE ? ", profiled" : ""})`);
  await mkdir(logDir, { recursive: true });
  if (PROFILE) await rm(profileDir, { recursive: true, force: true });
  const saasRootToken = `glpat-${randomBytes(15).toString("base64url")}`;
  const selfManagedRootToken = `glpat-${randomBytes(15).toString("base64url")}`;
  const saasSmall = await context.start(
    "saas",
    "saas-1k",
    (url) => ({
      ...limitedEnv,
      DATABASE_URL: saasSmallUrl,
      INITIAL_ROOT_TOKEN: saasRootToken,
      EXTERNAL_URL: url,
    }),
    [saasSmallUrl as string],
  );
  const completionServices: CompletionServices | undefined = runs("completions")
    ? await startCompletionServices(context, saasSmall.url)
    : undefined;
  const selfManaged = await context.start(
    "self-managed",
    "self-managed",
    () => ({
      ...limitedEnv,
      DATABASE_URL: selfManagedUrl,
      INITIAL_ROOT_TOKEN: selfManagedRootToken,
      SAAS_URL: saasSmall.url,
      ...(completionServices ? { AI_GATEWAY_URL: completionServices.gateway.url } : {}),
      COMPLETIONS_RATE_LIMIT_PER_USER: "10000000",
    }),
    [selfManagedUrl as string],
  );
  const flow = await setUpFlow({
    saasUrl: saasSmall.url,
    selfManagedUrl: selfManaged.url,
    saasRootToken,
    selfManagedRootToken,
  });

  if (runs("tokens")) {
    const tokenRows = await runTokenRows(context, {
      saasSmall,
      saasSmallUrl: saasSmallUrl as string,
      smallUsers: SMALL,
      smallTokens: small.tokens,
      selfManaged,
      selfManagedTokens: selfManagedUsers.tokens,
      keyBase: KEY_BASE,
    });
    lines.push(...tokenRows.lines);
    targets.push(...tokenRows.targets);
    results.tokens = tokenRows.results;
  }

  if (completionServices) {
    const route = await completionsRoute(selfManaged.url, selfManagedUsers.tokens[0] as string);
    const completionRows = await runCompletionRows(context, {
      ...completionServices,
      saasUrl: saasSmall.url,
      serviceToken: flow.serviceToken.token,
      selfManaged: route === "available" ? selfManaged : { notMeasured: route.notMeasured },
      selfManagedTokens: selfManagedUsers.tokens,
    });
    lines.push(...completionRows.lines);
    targets.push(...completionRows.targets);
    results.completions = completionRows.results;
  }

  const cpu = os.cpus();
  const header = `${new Date().toISOString().slice(0, 10)}, ${cpu.length} CPUs (${cpu[0]?.model ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(`\n${header}\n${lines.join("\n")}\n`);
  failed = targets.some((t) => t.failsRun === true && !t.met);

  const file = await writeResults(resultsDir, results);
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
  const names = [
    "saas-1k",
    "self-managed",
    ...(runs("tokens") ? [`saas-${LARGE_USERS / 1000}k`] : []),
    ...(runs("completions") ? ["ai-gateway"] : []),
  ];
  for (const name of names) {
    const summary = await summarizeProfiles(path.join(profileDir, name)).catch(() => []);
    process.stdout.write(`\nCPU profile of ${name}\n${summary.join("\n")}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
