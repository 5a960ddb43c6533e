/**
 * The token rows: R (signing), H (a bare Fastify route giving the same answer), S (SaaS
 * direct, every feature on), S with rate limits off, M (through self-managed), M floor (a
 * bare relay), S with 200,000 users, the cold path; CPU time per request and each service's
 * resident memory.
 */
import type { BareServer } from "./bare.ts";
import { startBareServer } from "./bare.ts";
import type { BenchContext } from "./bench-context.ts";
import { cpuPerRequest, type MeasuredProcess, middle } from "./cpu-per-request.ts";
import { type LoadResult, measureTokenRequests, median } from "./load.ts";
import { waitForQuietCpu } from "./quiet-cpu.ts";
import { type Measurements, type Target, table, targets } from "./report.ts";
import { seedUsers } from "./seed.ts";
import type { BenchService } from "./services.ts";
import { measureSigning } from "./signing.ts";
import { sampleAnswer } from "./token-answer.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const WARMUP_S = 3;
export const LARGE_USERS = Number(process.env.BENCH_LARGE_USERS ?? 200_000);
/** Distinct users' tokens each run cycles through. */
export const SAMPLE = 2_000;
/** Tokens of the large instance kept aside for the cold run (never requested before it). */
const COLD_SAMPLE = 40_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export interface TokenRows {
  readonly lines: string[];
  readonly targets: Target[];
  readonly results: object;
}

export async function runTokenRows(
  context: BenchContext,
  services: {
    /** SaaS with 1,000 users, every feature on, and its database. */
    saasSmall: BenchService;
    saasSmallUrl: string;
    smallUsers: number;
    smallTokens: readonly string[];
    selfManaged: BenchService;
    selfManagedTokens: readonly string[];
    keyBase: string;
  },
): Promise<TokenRows> {
  const { step, start, limitedEnv, commonEnv } = context;
  const { saasSmall, saasSmallUrl, selfManaged, keyBase } = services;
  const small = services.smallTokens;
  step(`seeding ${LARGE_USERS} users on a second SaaS`);
  const saasLargeUrl = await context.createDatabase("saas_large");
  const large = await seedUsers(saasLargeUrl, {
    users: LARGE_USERS,
    keyBase,
    sample: SAMPLE + COLD_SAMPLE,
  });
  // A replica of the same instance with the rate limits off: what they cost.
  const saasNoLimits = await start(
    "saas",
    "saas-1k-no-limits",
    () => ({
      ...commonEnv,
      DATABASE_URL: saasSmallUrl,
      EXTERNAL_URL: saasSmall.url,
      TOKENS_RATE_LIMIT_PER_USER: "0",
      TOKENS_RATE_LIMIT_PER_INSTANCE: "0",
    }),
    [saasSmallUrl],
  );
  const saasLarge = await start(
    "saas",
    `saas-${LARGE_USERS / 1000}k`,
    (url) => ({ ...limitedEnv, DATABASE_URL: saasLargeUrl, EXTERNAL_URL: url }),
    [saasLargeUrl],
  );
  const answer = await sampleAnswer(saasSmall.url, small[0] as string);
  const bare = await startBareServer(answer);
  context.track(bare);
  // The least a hop can cost: a bare relay (no checks, limits, metrics or logs) to SaaS.
  const relay = await startBareServer({ ...answer, upstream: saasSmall.url });
  context.track(relay);

  const load = async (url: string, tokens: readonly string[], durationSeconds = DURATION_S) => {
    await waitForQuietCpu();
    return measureTokenRequests({ url, tokens, connections: CONNECTIONS, durationSeconds });
  };
  const cpu = cpuPerRequest(context);
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
  await warmUp(bare.url, small);
  await warmUp(saasSmall.url, small);
  await warmUp(saasNoLimits.url, small);
  await warmUp(selfManaged.url, services.selfManagedTokens);
  await warmUp(relay.url, small);
  await warmUp(saasLarge.url, large.tokens.slice(0, SAMPLE));

  // After the warm-up (a warm process), with tokens the warm-up never sent.
  step(
    `cold: SaaS with ${LARGE_USERS} users, every request a user not seen before (${DURATION_S} s)`,
  );
  const cold = await cpu.measure("cold", () => load(saasLarge.url, large.tokens.slice(SAMPLE)), [
    saasLarge,
  ]);

  type Row = [string, string, BenchService | BareServer, readonly string[], MeasuredProcess[]];
  const plan: Row[] = [
    ["bare", "H", bare, small, [bare]],
    ["direct", "S", saasSmall, small, [saasSmall]],
    ["directNoLimits", "S no limits", saasNoLimits, small, [saasNoLimits]],
    ["proxied", "M", selfManaged, services.selfManagedTokens, [selfManaged, saasSmall]],
    ["relayed", "M floor", relay, small, [relay, saasSmall]],
    ["directLarge", "S large", saasLarge, large.tokens.slice(0, SAMPLE), [saasLarge]],
  ];
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
      const result = await cpu.measure(label, () => load(target.url, tokens), involved);
      rounds[key] = [...(rounds[key] ?? []), result];
    }
  }
  const medianOf = (key: string) => median(rounds[key] ?? []);
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

  // Right after the token rows, before anything else runs in these processes.
  const memory = Object.fromEntries(
    await Promise.all(
      [saasSmall, saasNoLimits, saasLarge, selfManaged].map(
        async (service) => [service.name, await service.residentMiB()] as const,
      ),
    ),
  );
  const cpuMicros = cpu.medians();
  const checked = targets(measurements, memory, LARGE_USERS);
  const header = `token rows: ${CONNECTIONS} connections, ${ROUNDS === 1 ? "one run" : `median of ${ROUNDS} runs`} of ${DURATION_S} s`;
  const lines = table({
    measurements,
    targets: checked,
    cpuMicros,
    header,
    largeUsers: LARGE_USERS,
  });
  return {
    lines,
    targets: checked,
    results: {
      settings: {
        connections: CONNECTIONS,
        durationSeconds: DURATION_S,
        warmupSeconds: WARMUP_S,
        users: { small: services.smallUsers, large: LARGE_USERS },
        distinctTokens: SAMPLE,
      },
      measurements,
      rounds,
      signatures,
      targets: checked,
      residentMiB: memory,
      cpuMicrosecondsPerRequest: cpuMicros,
    },
  };
}
