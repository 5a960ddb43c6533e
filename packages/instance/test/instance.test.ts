import { Writable } from "node:stream";
import { readInstanceConfig } from "@token-broker/config";
import { openDatabase } from "@token-broker/db";
import { createTestDatabase, openTestDatabase } from "@token-broker/testing";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instance } from "../src/instance.ts";
import { createLogger } from "../src/logger.ts";
import { serverOptions } from "../src/server-options.ts";

const KEY_BASE = "instance-test-key-base-0123456789";
const ROOT_TOKEN = "glpat-R00tT0kenForTests123";

function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    lines,
    logger: createLogger({ service: "saas", level: "debug", pretty: false }, stream),
  };
}

async function buildApp(url: string, logger = captureLogs().logger) {
  const database = await openDatabase({ kind: "postgres", url });
  const config = readInstanceConfig(
    "saas",
    { DATABASE_URL: url, INITIAL_ROOT_TOKEN: ROOT_TOKEN },
    "/tmp",
  );
  const app = Fastify(serverOptions(logger));
  app.addHook("onClose", () => database.close());
  await app.register(instance, { config, database, keyBase: KEY_BASE, title: "Test instance" });
  // A protected route, to exercise authentication as every API route will.
  app.register(async (scope) => {
    scope.get("/api/v4/whoami", { config: { scopes: ["api"] } }, async (request) => ({
      username: request.principal.user.username,
    }));
  });
  await app.ready();
  return app;
}

describe("an instance", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const logs = captureLogs();

  beforeAll(async () => {
    database = await openTestDatabase();
    app = await buildApp(database.url, logs.logger);
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it("answers GitLab's health endpoints", async () => {
    const liveness = await app.inject("/-/liveness");
    expect([liveness.statusCode, liveness.json()]).toEqual([200, { status: "ok" }]);
    const readiness = await app.inject("/-/readiness");
    expect([readiness.statusCode, readiness.json()]).toEqual([
      200,
      { status: "ok", db_check: [{ status: "ok" }] },
    ]);
    const health = await app.inject("/-/health");
    expect([health.statusCode, health.headers["content-type"], health.body]).toEqual([
      200,
      expect.stringMatching(/^text\/plain/),
      "GitLab OK",
    ]);
  });

  it("authenticates INITIAL_ROOT_TOKEN as root on every credential form", async () => {
    for (const request of [
      { headers: { authorization: `Bearer ${ROOT_TOKEN}` } },
      { headers: { "private-token": ROOT_TOKEN } },
      { query: { private_token: ROOT_TOKEN } },
    ]) {
      const response = await app.inject({ url: "/api/v4/whoami", ...request });
      expect([response.statusCode, response.json()]).toEqual([200, { username: "root" }]);
    }
  });

  it("answers GitLab's 401 body to a request without a valid token", async () => {
    for (const headers of [
      {},
      { authorization: "Bearer glpat-unknown0000000000000" },
      { authorization: "Bearer nope" },
    ]) {
      const response = await app.inject({ url: "/api/v4/whoami", headers });
      expect([response.statusCode, response.json()]).toEqual([
        401,
        { message: "401 Unauthorized" },
      ]);
    }
  });

  it("answers an unknown route with GitLab's 404", async () => {
    const response = await app.inject("/api/v4/nothing-here");
    expect([response.statusCode, response.json()]).toEqual([404, { error: "404 Not Found" }]);
  });

  it("generates every request id itself, returns it, and logs with it", async () => {
    const first = await app.inject({
      url: "/api/v4/nothing-here",
      headers: { "x-request-id": "chosen-by-client" },
    });
    const second = await app.inject("/api/v4/nothing-here");
    const id = first.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers["x-request-id"]).not.toBe(id);
    expect(logs.lines.some((line) => line.includes(String(id)))).toBe(true);
    expect(logs.lines.join("")).not.toContain("chosen-by-client");
  });

  it("logs every refusal with its catalogue code", async () => {
    const refused = [
      { request: { url: "/api/v4/whoami" }, code: "token_missing" },
      {
        request: { url: "/api/v4/whoami", query: { private_token: "nope" } },
        code: "token_malformed",
      },
      { request: { url: "/api/v4/nothing-here" }, code: "route_not_found" },
    ];
    for (const { request, code } of refused) {
      const response = await app.inject(request);
      const lines = logs.lines
        .map((line) => JSON.parse(line))
        .filter((line) => line.reqId === response.headers["x-request-id"]);
      expect(lines).toContainEqual(expect.objectContaining({ code, msg: "request refused" }));
    }
  });

  it("writes one line per completed request: id, redacted URL, status, user; none for probes", async () => {
    const response = await app.inject({
      url: "/api/v4/whoami?private_token=glpat-R00tT0kenForTests123&page=2",
    });
    await app.inject("/-/liveness");
    const lines = logs.lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.reqId === response.headers["x-request-id"]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: "saas",
        msg: "request completed",
        req: {
          method: "GET",
          url: "/api/v4/whoami?private_token=[REDACTED]&page=2",
          remoteAddress: "127.0.0.1",
        },
        res: { statusCode: 200 },
        userId: expect.any(Number),
        responseTime: expect.any(Number),
      }),
    ]);
    expect(logs.lines.join("")).not.toContain("/-/liveness");
  });

  it("never writes a token into its logs, whichever way it arrives", async () => {
    const secrets = [
      "glpat-LeakCheckHeader00001",
      "glpat-LeakCheckPrivate0001",
      "glpat-LeakCheckQuery000001",
    ];
    await app.inject({ url: "/api/v4/whoami", headers: { authorization: `Bearer ${secrets[0]}` } });
    await app.inject({ url: "/api/v4/whoami", headers: { "private-token": secrets[1] } });
    await app.inject({ url: `/api/v4/whoami?private_token=${secrets[2]}&x=1` });
    await app.inject({ url: "/api/v4/whoami", headers: { authorization: `Bearer ${ROOT_TOKEN}` } });
    const written = logs.lines.join("");
    expect(written).toContain("private_token=[REDACTED]&x=1");
    for (const secret of [...secrets, ROOT_TOKEN]) expect(written).not.toContain(secret.slice(6));
  });
});

it("answers 503 on /-/readiness, naming the check, when its database stops answering", async () => {
  const created = await createTestDatabase();
  const app = await buildApp(created.url);
  try {
    await created.drop();
    const response = await app.inject("/-/readiness");
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: "failed",
      db_check: [{ status: "failed", message: "database does not answer" }],
    });
    expect((await app.inject("/-/liveness")).statusCode).toBe(200);
  } finally {
    await app.close();
  }
});

it("refuses to start a route counted per user that does not authenticate", async () => {
  const database = await openTestDatabase();
  const config = readInstanceConfig("saas", { DATABASE_URL: database.url }, "/tmp");
  const app = Fastify(serverOptions(captureLogs().logger));
  try {
    await app.register(instance, { config, database, keyBase: KEY_BASE, title: "Test instance" });
    app.register(async (scope) => {
      scope.post(
        "/api/v4/open",
        { config: { rateLimit: scope.principalRateLimit({ bucket: "open", max: 1 }) } },
        async () => ({}),
      );
    });
    await expect(app.ready()).rejects.toThrow(
      "POST /api/v4/open: principalRateLimit needs config.scopes",
    );
  } finally {
    await app.close();
    await database.close();
  }
});
