import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { aiGatewayApp } from "@token-broker/ai-gateway/app";
import { type AiGatewayConfig, readAiGatewayConfig } from "@token-broker/ai-gateway/config";
import { gatewayServerOptions } from "@token-broker/ai-gateway/server-options";
import { createLogger, type Environment, type LogLevel } from "@token-broker/instance";
import { freePort, type ReceivedRequest } from "@token-broker/testing";
import Fastify from "fastify";

export interface RunningGateway {
  readonly url: string;
  readonly config: AiGatewayConfig;
  /** Every request the gateway received, as it arrived (method, URL, headers). */
  readonly received: ReceivedRequest[];
  /** Every log line the gateway wrote, at `logLevel`. */
  readonly logs: string[];
  close(): Promise<void>;
}

export interface GatewayStartOptions {
  /** AI_GATEWAY_TRUSTED_ISSUERS, MODEL_* and the rest, on top of the test defaults. */
  readonly env?: Environment;
  /** The level its logs are written at (default info); `trace` for the privacy tests. */
  readonly logLevel?: LogLevel;
  /** See the app's option: how often an unknown `kid` may refetch an issuer's keys. */
  readonly keyRefetchIntervalMs?: number;
}

let testSigningKey: string | undefined;

/** One key for every test gateway of this process: replicas of a deployment share theirs. */
export function gatewayTestSigningKey(): string {
  testSigningKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  return testSigningKey;
}

/**
 * The AI gateway app on a real port, as its process entry point builds it (the same server
 * options), trusting `AI_GATEWAY_TRUSTED_ISSUERS` from `env`.
 */
export async function startAiGateway(options: GatewayStartOptions = {}): Promise<RunningGateway> {
  const port = await freePort();
  const config = readAiGatewayConfig({
    PORT: String(port),
    AI_GATEWAY_SIGNING_KEY: gatewayTestSigningKey(),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "ai-gateway-")),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(
    { service: config.service, level: options.logLevel ?? "info", pretty: false },
    sink,
  );
  const app = Fastify(gatewayServerOptions(logger));
  const received: ReceivedRequest[] = [];
  app.addHook("onRequest", async (request) => {
    received.push({ method: request.method, url: request.url, headers: { ...request.headers } });
  });
  try {
    await app.register(aiGatewayApp, {
      config,
      ...(options.keyRefetchIntervalMs !== undefined
        ? { keyRefetchIntervalMs: options.keyRefetchIntervalMs }
        : {}),
    });
    await app.listen({ port, host: "127.0.0.1" });
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    received,
    logs,
    close: async () => {
      await app.close();
    },
  };
}
