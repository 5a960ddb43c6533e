/**
 * The completion rows: D (straight to the model stand-in), F (through a bare relay to it:
 * the floor of any hop), G (through the AI gateway, an
 * instance token) and I (through self-managed, then the gateway), each with JSON answers and
 * streamed, at 64 and 512 editors; throughput, latency, time to the first body byte, CPU
 * per completion of each process and resident memory.
 */
import { createHash, randomUUID } from "node:crypto";
import type { BenchContext } from "./bench-context.ts";
import { type CompletionResult, measureCompletions } from "./completion-load.ts";
import {
  type CompletedRows,
  type CompletionPath,
  completionTable,
  completionTargets,
  MODES,
  type Mode,
  PATHS,
} from "./completion-report.ts";
import { CHUNKS, editorRequest, modelRequest } from "./completion-requests.ts";
import {
  CHUNK_INTERVAL_MS,
  type CompletionServices,
  FIRST_CHUNK_DELAY_MS,
  instanceToken,
} from "./completion-services.ts";
import { cpuPerRequest, type MeasuredProcess } from "./cpu-per-request.ts";
import { median } from "./load.ts";
import { watchPeakResident } from "./process-stats.ts";
import { waitForQuietCpu } from "./quiet-cpu.ts";
import type { Target } from "./report.ts";
import type { BenchService } from "./services.ts";

const EDITORS = (process.env.BENCH_COMPLETION_EDITORS ?? "64,512").split(",").map(Number);
const DURATION_S = Number(process.env.BENCH_COMPLETION_DURATION_S ?? 6);
const ROUNDS = Number(process.env.BENCH_COMPLETION_ROUNDS ?? 1);
const WARMUP_S = 2;
/** The editors' first requests spread over one answer of the stand-in (see completion-load.ts). */
const SPREAD_MS = FIRST_CHUNK_DELAY_MS + CHUNKS * CHUNK_INTERVAL_MS;

export interface CompletionRows {
  readonly lines: string[];
  readonly targets: Target[];
  readonly results: object;
}

interface Route {
  readonly url: string;
  readonly path: string;
  readonly headers: (n: number) => Record<string, string>;
  readonly involved: MeasuredProcess[];
}

export async function runCompletionRows(
  context: BenchContext,
  services: CompletionServices & {
    saasUrl: string;
    /** The SaaS service account's token (self-managed's ai_access_token). */
    serviceToken: string;
    /** Self-managed with the completions route, or why the I rows cannot be measured. */
    selfManaged: BenchService | { notMeasured: string };
    /** Self-managed users' tokens, cycled through by the I rows. */
    selfManagedTokens: readonly string[];
  },
): Promise<CompletionRows> {
  const { step } = context;
  const { modelServer, floor, gateway } = services;
  const instanceId = randomUUID();
  const token = await instanceToken(services.saasUrl, services.serviceToken, instanceId);
  // What self-managed sends the gateway with its instance token (docs/cloud-connector.md).
  const gatewayHeaders = {
    authorization: `Bearer ${token}`,
    "x-gitlab-authentication-type": "oidc",
    "x-gitlab-realm": "self-managed",
    "x-gitlab-instance-id": instanceId,
    // GitLab's global user id: hex(sha256(instance UUID + user id)).
    "x-gitlab-global-user-id": createHash("sha256").update(`${instanceId}1`).digest("hex"),
    "x-gitlab-host-name": "127.0.0.1",
    "x-gitlab-version": "17.2.0",
  };
  const routes: Partial<Record<CompletionPath, Route>> = {
    D: { url: modelServer.url, path: "/v1/completions", headers: () => ({}), involved: [] },
    F: { url: floor.url, path: "/v1/completions", headers: () => ({}), involved: [floor] },
    G: {
      url: gateway.url,
      path: "/v2/code/completions",
      headers: () => gatewayHeaders,
      involved: [gateway],
    },
  };
  const notMeasured: Partial<Record<CompletionPath, string>> = {};
  const selfManaged = services.selfManaged;
  if ("notMeasured" in selfManaged) notMeasured.I = selfManaged.notMeasured;
  else {
    const tokens = services.selfManagedTokens;
    routes.I = {
      url: selfManaged.url,
      path: "/api/v4/code_suggestions/completions",
      headers: (n) => ({ authorization: `Bearer ${tokens[n % tokens.length]}` }),
      involved: [selfManaged, gateway],
    };
  }
  const requestOf = (path: CompletionPath, route: Route, mode: Mode) =>
    path === "D" || path === "F"
      ? modelRequest(mode === "stream")
      : editorRequest(route.path, mode === "stream", route.headers);
  const measured = PATHS.filter((path) => routes[path] !== undefined);

  step(`completions: warming up ${measured.join(", ")} (${WARMUP_S} s each, JSON and streamed)`);
  for (const path of measured) {
    const route = routes[path] as Route;
    for (const mode of MODES) {
      await measureCompletions({
        url: route.url,
        request: requestOf(path, route, mode),
        connections: Math.min(...EDITORS),
        durationSeconds: WARMUP_S,
        spreadMs: SPREAD_MS,
      });
    }
  }

  const cpu = cpuPerRequest(context);
  const rows: CompletedRows = {};
  const peakDuringMostStreams: Record<string, number> = {};
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const mode of MODES) {
      for (const editors of EDITORS) {
        step(
          `completions round ${round}/${ROUNDS}: ${measured.join(", ")}, ${mode}, ${editors} editors; ${DURATION_S} s each`,
        );
        for (const path of measured) {
          const route = routes[path] as Route;
          const involved = [...route.involved, modelServer];
          await waitForQuietCpu();
          const peak = watchPeakResident(involved);
          const key = `${path} ${mode} ${editors}`;
          const result = await cpu.measure(
            key,
            () =>
              measureCompletions({
                url: route.url,
                request: requestOf(path, route, mode),
                connections: editors,
                durationSeconds: DURATION_S,
                spreadMs: SPREAD_MS,
              }),
            involved,
          );
          const peaks = await peak.stop();
          if (mode === "stream" && editors === Math.max(...EDITORS)) {
            for (const [name, mib] of Object.entries(peaks))
              peakDuringMostStreams[name] = Math.max(peakDuringMostStreams[name] ?? 0, mib);
          }
          rows[key] = [...(rows[key] ?? []), result];
        }
      }
    }
  }

  const medians: Record<string, CompletionResult> = Object.fromEntries(
    Object.entries(rows).map(([key, runs]) => [key, median(runs)]),
  );
  const residentAfter = Object.fromEntries(
    await Promise.all(
      [modelServer, floor, gateway, ...("notMeasured" in selfManaged ? [] : [selfManaged])].map(
        async (service) => [service.name, await service.residentMiB()] as const,
      ),
    ),
  );
  const cpuMicros = cpu.medians();
  const settings = {
    editors: EDITORS,
    durationSeconds: DURATION_S,
    rounds: ROUNDS,
    warmupSeconds: WARMUP_S,
    standIn: {
      firstChunkDelayMs: FIRST_CHUNK_DELAY_MS,
      chunks: CHUNKS,
      chunkIntervalMs: CHUNK_INTERVAL_MS,
    },
  };
  const checked = completionTargets({
    medians,
    editors: EDITORS,
    notMeasured,
    peakDuringStreams: peakDuringMostStreams,
    // The services of the completion path; the stand-in and F's relay are not ours.
    services: Object.keys(peakDuringMostStreams).filter(
      (name) => name !== modelServer.name && name !== floor.name,
    ),
  });
  const lines = completionTable({
    header: `completion rows: model stand-in ${FIRST_CHUNK_DELAY_MS} ms to the first chunk, then ${CHUNKS} chunks ${CHUNK_INTERVAL_MS} ms apart (its own process); ${EDITORS.join(" and ")} editors, ${ROUNDS === 1 ? "one run" : `median of ${ROUNDS} runs`} of ${DURATION_S} s per row`,
    medians,
    editors: EDITORS,
    notMeasured,
    targets: checked,
    cpuMicros,
    peakDuringStreams: peakDuringMostStreams,
    residentAfter,
  });
  return {
    lines,
    targets: checked,
    results: {
      settings,
      medians,
      rounds: rows,
      notMeasured,
      targets: checked,
      peakResidentMiBDuringStreams: peakDuringMostStreams,
      residentMiB: residentAfter,
      cpuMicrosecondsPerCompletion: cpuMicros,
    },
  };
}
