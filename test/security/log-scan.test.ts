import { randomBytes } from "node:crypto";
import { setUpFlow } from "@token-broker/service-runner/setup";
import {
  createTestDatabase,
  type ServiceProcess,
  spawnService,
  TEST_KEY_BASE,
  type TestDatabase,
} from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TOKENS_PATH } from "../support/token-request.ts";
import { head, rawExchange } from "./raw-http.ts";

/**
 * Both services as production runs them, logging everything (LOG_LEVEL=trace), driven with
 * every credential form the reader accepts and every way a request can fail; afterwards no
 * credential the run created or sent may appear in their output.
 */
const newToken = () => `glpat-${randomBytes(15).toString("base64url")}`;
const secrets: string[] = [];
const remember = (secret: string) => {
  secrets.push(secret);
  return secret;
};

const databases: TestDatabase[] = [];
const services: ServiceProcess[] = [];
let saasUrl: string;
let selfManagedUrl: string;
let demo: {
  saasRootToken: string;
  selfManagedRootToken: string;
  serviceToken: string;
  developerToken: string;
};

async function start(service: "saas" | "self-managed", env: Record<string, string>) {
  const database = await createTestDatabase();
  databases.push(database);
  const process = spawnService(service, {
    PORT: "0",
    DATABASE_URL: database.url,
    DB_KEY_BASE: TEST_KEY_BASE,
    LOG_LEVEL: "trace",
    ...env,
  });
  services.push(process);
  return process.listening();
}

beforeAll(async () => {
  const roots = { saasRootToken: remember(newToken()), selfManagedRootToken: remember(newToken()) };
  saasUrl = await start("saas", { INITIAL_ROOT_TOKEN: roots.saasRootToken });
  selfManagedUrl = await start("self-managed", {
    INITIAL_ROOT_TOKEN: roots.selfManagedRootToken,
    SAAS_URL: saasUrl,
  });
  const flow = await setUpFlow({ saasUrl, selfManagedUrl, ...roots });
  demo = {
    ...roots,
    serviceToken: remember(flow.serviceToken.token),
    developerToken: remember(flow.developerToken.token),
  };
}, 60_000);

afterAll(async () => {
  for (const service of services) service.child.kill("SIGTERM");
  await Promise.all(services.map((service) => service.exited()));
  await Promise.all(databases.map((database) => database.drop()));
});

/** Every way a request may carry `token`, as clients spell it. */
function credentialForms(path: string, token: string): [string, RequestInit][] {
  const separator = path.includes("?") ? "&" : "?";
  return [
    [path, { headers: { authorization: `Bearer ${token}` } }],
    [path, { headers: { authorization: `bearer    ${token}` } }],
    [path, { headers: { "PrIvAtE-tOkEn": token } }],
    [`${path}${separator}private_token=${token}`, {}],
    [`${path}${separator}private%5Ftoken=${token}`, {}],
    [`${path}${separator}%70rivate_token=${token}`, {}],
    [`${path}${separator}private_token=${token}&private_token=${token}`, {}],
    [`${path}${separator}private_token=${token}&nul=%00`, {}],
    [`${path}${separator}private_token=${token}&bad=%FF`, {}],
  ];
}

it("no credential, JWT or ai_access_token reaches the logs, at any level", async () => {
  const developer = demo.developerToken;
  const unknown = remember(newToken());
  const statuses: number[] = [];
  for (const base of [selfManagedUrl, saasUrl]) {
    for (const token of [developer, demo.saasRootToken, unknown]) {
      for (const [path, init] of [
        ...credentialForms(TOKENS_PATH, token).map(
          ([p, i]) => [p, { ...i, method: "POST" }] as const,
        ),
        ...credentialForms("/api/v4/user", token),
        ...credentialForms("/api/v4/users/%FF", token),
        ...credentialForms("/api/v4/users/2147483648", token),
      ]) {
        const response = await fetch(`${base}${path}`, init);
        const text = await response.text();
        statuses.push(response.status);
        if (response.status === 201) remember(JSON.parse(text).access_token);
      }
    }
    // Requests Node's parser refuses: their raw bytes hold the Authorization header.
    const host = `Host: ${new URL(base).host}`;
    for (const bytes of [
      head("GET /api/v4/user HTTP/1.1", [host, `Authorization: Bearer ${developer}`, "Bad header"]),
      head("GET /api/v4/user HTTP/1.1 x", [host, `Authorization: Bearer ${developer}`]),
      head("GET /api/v4/user HTTP/1.1", [
        host,
        `Authorization: Bearer ${developer}`,
        `X-Big: ${"a".repeat(20_000)}`,
      ]),
      head(`GET /api/v4/user?private_token=${developer} HTTP/1.1`, [host, "X: a\0"]),
    ]) {
      statuses.push((await rawExchange(base, bytes)).status ?? 0);
    }
  }

  const rootOf = (base: string) =>
    base === saasUrl ? demo.saasRootToken : demo.selfManagedRootToken;
  for (const base of [selfManagedUrl, saasUrl]) {
    for (const value of [remember(newToken()), `${remember(newToken())}\r\nX-Injected: 1`]) {
      for (const init of [
        { "content-type": "application/json", body: JSON.stringify({ ai_access_token: value }) },
        {
          "content-type": "application/x-www-form-urlencoded",
          body: new URLSearchParams({ ai_access_token: value }).toString(),
        },
      ]) {
        const response = await fetch(`${base}/api/v4/application/settings`, {
          method: "PUT",
          headers: { "private-token": rootOf(base), "content-type": init["content-type"] },
          body: init.body,
        });
        statuses.push(response.status);
      }
    }
  }
  // The flow worked (JWTs were issued) and refusals were answered, none with a 500.
  expect(statuses).toContain(201);
  expect(statuses).toContain(400);
  expect(statuses.filter((status) => status >= 500)).toEqual([]);

  for (const service of services) service.child.kill("SIGTERM");
  await Promise.all(services.map((service) => service.exited()));
  const output = services.map((service) => service.output()).join("\n");
  // Trace and debug lines were written: the scan covers every level.
  expect(output).toMatch(/"level":(10|20),/);
  for (const secret of secrets.filter(Boolean)) {
    expect(output).not.toContain(secret);
    expect(output).not.toContain(secret.replace(/^glpat-/, ""));
  }
}, 120_000);
