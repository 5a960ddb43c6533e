import { createServer } from "node:net";
import { Writable } from "node:stream";
import { createTokenDigester } from "@token-broker/auth";
import { type Database, openDatabase } from "@token-broker/db";
import {
  createLogger,
  type Environment,
  type InstanceConfig,
  type ServiceDefinition,
  serverOptions,
} from "@token-broker/instance";
import { createSecretBox } from "@token-broker/secrets";
import Fastify, { type FastifyInstance, type onRequestHookHandler } from "fastify";
import { createFixtures, type Fixtures } from "./fixtures.ts";
import { openTestDatabase } from "./test-database.ts";

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface RunningService<C extends InstanceConfig> {
  readonly url: string;
  readonly config: C;
  readonly database: Database;
  readonly databaseUrl: string;
  readonly fixtures: Fixtures;
  /** Every request the service received, as it arrived (method, URL, headers). */
  readonly received: ReceivedRequest[];
  /** Every log line the service wrote. */
  readonly logs: string[];
  /** The app itself, for what a service exposes to its own routes (not over HTTP). */
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Every test service shares one key base, so replicas of one database agree. */
export const TEST_KEY_BASE = "test-key-base-0123456789abcdefghijklmnop";

export interface StartOptions {
  readonly env?: Environment;
  /** Another running service's database: this one is then a replica of it. */
  readonly replicaOf?: RunningService<InstanceConfig>;
  /** Runs first on every request (e.g. to hold a request, as a slow upstream would). */
  readonly onRequest?: onRequestHookHandler;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  readonly https?: { readonly key: string; readonly cert: string };
}

export function scheme(options: StartOptions): "http" | "https" {
  return options.https ? "https" : "http";
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A service's app on a real port of this process, with its own PostgreSQL database (or its
 * replica's), as the process entry point runs it. The service is the caller's: this package
 * depends on no app.
 */
export async function startService<C extends InstanceConfig>(
  { app: plugin, readConfig }: ServiceDefinition<C>,
  options: StartOptions = {},
): Promise<RunningService<C>> {
  const database: Database & { url: string } = options.replicaOf
    ? {
        ...(await openDatabase({ kind: "postgres", url: options.replicaOf.databaseUrl })),
        url: options.replicaOf.databaseUrl,
      }
    : await openTestDatabase();
  const port = await freePort();
  const keyBase = TEST_KEY_BASE;
  const config = readConfig({
    PORT: String(port),
    DATABASE_URL: database.url,
    DB_KEY_BASE: keyBase,
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = Fastify({
    ...serverOptions(createLogger({ service: config.service, level: "info", pretty: false }, sink)),
    ...(options.https ? { https: options.https } : {}),
  });
  const received: ReceivedRequest[] = [];
  app.addHook("onRequest", async (request) => {
    received.push({ method: request.method, url: request.url, headers: { ...request.headers } });
  });
  if (options.onRequest) app.addHook("onRequest", options.onRequest);
  // The app's own context (the first one registered), where its decorators live.
  let appContext: FastifyInstance | undefined;
  app.addHook("onRegister", (context) => {
    appContext ??= context as unknown as FastifyInstance;
  });
  try {
    await app.register(plugin, { config, database, keyBase });
    await app.listen({ port, host: "127.0.0.1" });
  } catch (error) {
    await app.close();
    await database.close();
    throw error;
  }
  return {
    url: `${scheme(options)}://127.0.0.1:${port}`,
    config,
    database,
    databaseUrl: database.url,
    fixtures: createFixtures(
      database.prisma,
      createTokenDigester(keyBase),
      createSecretBox(keyBase),
    ),
    received,
    logs,
    app: appContext ?? (app as unknown as FastifyInstance),
    async close() {
      await app.close();
      await database.close();
    },
  };
}
