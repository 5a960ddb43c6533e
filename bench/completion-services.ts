/**
 * What the completion rows need besides SaaS and self-managed: the model stand-in with a
 * fixed latency (packages/testing's, in a process of its own), F's bare relay to it (the
 * least a hop can cost, bare-completion-relay.ts), the AI gateway in production
 * mode trusting SaaS and asking the stand-in, and an instance token for the rows that go
 * straight to the gateway.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchContext } from "./bench-context.ts";
import { CHUNKS, COMPLETION } from "./completion-requests.ts";
import { type ScriptServer, startScriptServer } from "./script-server.ts";
import type { BenchService } from "./services.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const standInCli = path.join(root, "packages", "testing", "src", "model-server", "cli.ts");
const relayScript = path.join(root, "bench", "bare-completion-relay.ts");

/** The stand-in's latency: 50 ms to the first chunk, then 20 chunks 10 ms apart. */
export const FIRST_CHUNK_DELAY_MS = 50;
export const CHUNK_INTERVAL_MS = 10;

export interface CompletionServices {
  readonly modelServer: ScriptServer;
  /** F: a bare relay to the stand-in (no checks, parsing, limits, metrics or logs). */
  readonly floor: ScriptServer;
  readonly gateway: BenchService;
}

export async function startCompletionServices(
  context: BenchContext,
  saasUrl: string,
): Promise<CompletionServices> {
  const modelServer = await startScriptServer({
    name: "model-stand-in",
    script: standInCli,
    env: {
      PORT: "0",
      MODEL_STANDIN_COMPLETION: COMPLETION,
      MODEL_STANDIN_FIRST_CHUNK_DELAY_MS: String(FIRST_CHUNK_DELAY_MS),
      MODEL_STANDIN_CHUNKS: String(CHUNKS),
      MODEL_STANDIN_CHUNK_INTERVAL_MS: String(CHUNK_INTERVAL_MS),
      // Each event in one write, as model servers write them: half the stand-in's writes and
      // timers, and its latency as set (each split costs a pause of its own).
      MODEL_STANDIN_SPLIT_EVENTS: "false",
    },
    urlOf: (line) => /listening at (http:\/\/[^/\s]+)/.exec(line)?.[1],
  });
  context.track(modelServer);
  const floor = await startScriptServer({
    name: "completion-relay",
    script: relayScript,
    env: { BARE_UPSTREAM: modelServer.url },
    // It prints its address, and nothing else.
    urlOf: (line) => line,
  });
  context.track(floor);
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bench-ai-gateway-"));
  const gateway = await context.start("ai-gateway", "ai-gateway", (url) => ({
    EXTERNAL_URL: url,
    DATA_DIR: dataDir,
    AI_GATEWAY_TRUSTED_ISSUERS: saasUrl,
    AI_GATEWAY_SIGNING_KEY: signingKey,
    MODEL_ENDPOINT: modelServer.url,
    MODEL_NAME: "stand-in",
    // Every feature on: the per-subject limit counted in Redis, high enough not to refuse.
    REDIS_URL: context.limitedEnv.REDIS_URL,
    REDIS_KEY_PREFIX: context.limitedEnv.REDIS_KEY_PREFIX,
    AI_GATEWAY_RATE_LIMIT_PER_USER: "10000000",
  }));
  return { modelServer, floor, gateway };
}

/** An instance token from SaaS for `instanceId`, as self-managed asks for its own. */
export async function instanceToken(
  saasUrl: string,
  serviceToken: string,
  instanceId: string,
): Promise<string> {
  const response = await fetch(`${saasUrl}/api/v4/cloud_connector/instance_token`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${serviceToken}`,
      "x-gitlab-instance-id": instanceId,
      "x-gitlab-realm": "self-managed",
    },
  });
  if (response.status !== 201) throw new Error(`SaaS answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}
