import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { runSelfManagedConsole } from "@token-broker/self-managed/console";
import {
  freePort,
  type ModelServer,
  type RunningService,
  startModelServer,
  TEST_KEY_BASE,
} from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayEnv } from "../ai-gateway/gateway-world.ts";
import { type RunningGateway, startAiGateway } from "../ai-gateway/running-gateway.ts";
import { configuredSelfManaged, saasWithServiceAccount } from "./instances.ts";

const HEALTH_CHECK_PATH = "/api/v4/code_suggestions/health_check";
const PROBES = [
  "instance_settings",
  "saas_reachable",
  "service_token",
  "token_issuance",
  "instance_token",
  "ai_gateway_reachable",
  "code_completion",
];
const COMPLETION = "return a + b  # from the stand-in";

interface Report {
  success: boolean;
  probes: { name: string; success: boolean; message: string }[];
}

/** Both faces of the health check on one instance: the admin API and the console's --json. */
async function healthCheck(selfManaged: RunningService<SelfManagedConfig>, adminToken: string) {
  const response = await fetch(`${selfManaged.url}${HEALTH_CHECK_PATH}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const api = { status: response.status, report: (await response.json()) as Report };
  const out: string[] = [];
  const code = await runSelfManagedConsole({
    argv: ["health-check", "--json"],
    env: {
      DATABASE_URL: selfManaged.databaseUrl,
      DB_KEY_BASE: TEST_KEY_BASE,
      SAAS_URL: selfManaged.config.saasUrl,
      SAAS_TIMEOUT_MS: String(selfManaged.config.saasTimeoutMs),
      AI_GATEWAY_URL: selfManaged.config.editor.aiGatewayUrl,
    },
    io: { out: (line) => out.push(line), err: (line) => out.push(line), readStdin: async () => "" },
  });
  const consoleReport = JSON.parse(out.join("\n")) as Report;
  expect(api.status).toBe(200);
  // The API and the console report the same probes, with the same outcome.
  const outcome = (report: Report) => report.probes.map(({ name, success }) => [name, success]);
  expect(outcome(consoleReport)).toEqual(outcome(api.report));
  expect(code).toBe(api.report.success ? 0 : 1);
  expect(api.report.probes.map(({ name }) => name)).toEqual(PROBES);
  return api.report;
}

/** Which probes failed, by name. */
const failed = (report: Report) => report.probes.filter((p) => !p.success).map((p) => p.name);
const message = (report: Report, name: string) =>
  report.probes.find((probe) => probe.name === name)?.message ?? "";

describe("the health check of the SaaS connection and the AI gateway", () => {
  let saas: RunningService<SaasConfig>;
  let model: ModelServer;
  let gateway: RunningGateway;
  let selfManaged: RunningService<SelfManagedConfig>;
  let serviceToken: string;
  let serviceAccountId: number;
  let adminToken: string;

  beforeAll(async () => {
    const setUp = await saasWithServiceAccount();
    ({ saas, serviceToken } = setUp);
    serviceAccountId = setUp.serviceAccount.id;
    model = await startModelServer({ completion: COMPLETION });
    gateway = await startAiGateway({ env: gatewayEnv({ saas, model }) });
    selfManaged = await configuredSelfManaged(saas.url, serviceToken, {
      AI_GATEWAY_URL: gateway.url,
    });
    ({ token: adminToken } = await selfManaged.fixtures.userWithToken(
      { admin: true },
      { scopes: ["api"] },
    ));
  });
  afterAll(async () => {
    await selfManaged?.close();
    await gateway?.close();
    await model?.close();
    await saas?.close();
  });

  /** Points the setting ai_gateway_url at `url` for the duration of `work`. */
  async function withGatewaySetting<T>(url: string, work: () => Promise<T>): Promise<T> {
    await selfManaged.fixtures.settings({ aiGatewayUrl: url });
    try {
      return await work();
    } finally {
      await selfManaged.fixtures.settings({ aiGatewayUrl: "" });
    }
  }

  /** Stores `aiAccessToken` for the duration of `work`. */
  async function withStoredToken<T>(aiAccessToken: string, work: () => Promise<T>): Promise<T> {
    await selfManaged.fixtures.settings({ aiAccessToken });
    try {
      return await work();
    } finally {
      await selfManaged.fixtures.settings({ aiAccessToken: serviceToken });
    }
  }

  it("succeeds against SaaS and the gateway when everything is set up, and never shows a token or the completion", async () => {
    const completionsBefore = model.received.length;
    const report = await healthCheck(selfManaged, adminToken);
    expect(failed(report)).toEqual([]);
    expect(report.success).toBe(true);
    expect(message(report, "ai_gateway_reachable")).toBe(
      `the AI gateway at ${gateway.url} (AI_GATEWAY_URL) answered`,
    );
    expect(message(report, "code_completion")).toContain("answered a test completion");
    // End to end: the API's and the console's completions reached the model, each with the
    // instance token and this instance's headers, as the editor API sends them.
    expect(model.received.length).toBe(completionsBefore + 2);
    const { token: instanceToken } = await selfManaged.app.instanceToken.current();
    const sent = gateway.received.filter(({ url }) => url === "/v2/code/completions").at(-1);
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${instanceToken}`,
      "x-gitlab-authentication-type": "oidc",
      "x-gitlab-realm": "self-managed",
      "x-gitlab-instance-id": (
        await selfManaged.database.prisma.applicationSetting.findFirstOrThrow()
      ).instanceUuid,
    });
    expect(JSON.stringify(report)).not.toContain(instanceToken);
    expect(JSON.stringify(report)).not.toContain(COMPLETION);
    expect(message(report, "service_token")).toMatch(
      /SaaS accepts the stored ai_access_token \(scopes: ai_features\); it does not expire/,
    );
    expect(message(report, "token_issuance")).toContain(`${saas.url}/oauth/discovery/keys`);
    expect(JSON.stringify(report)).not.toContain(serviceToken.slice(6));
  });

  it("runs as the console's process: one line per probe, exit code 0", async () => {
    const entry = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      "../../apps/self-managed/src/console.ts",
    );
    // Asynchronously: SaaS answers from this process's event loop.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", entry, "health-check"],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: selfManaged.databaseUrl,
          DB_KEY_BASE: TEST_KEY_BASE,
          SAAS_URL: saas.url,
          AI_GATEWAY_URL: gateway.url,
        },
      },
    );
    expect(stdout.trim().split("\n")).toEqual([
      ...PROBES.map((name) => expect.stringMatching(new RegExp(`^ok +${name}: `))),
      "Code Suggestions can reach SaaS and the AI gateway.",
    ]);
  });

  it("only administrators may run it over the API", async () => {
    const { token } = await selfManaged.fixtures.userWithToken({}, { scopes: ["api"] });
    const asUser = await fetch(`${selfManaged.url}${HEALTH_CHECK_PATH}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asUser.status).toBe(403);
    expect((await fetch(`${selfManaged.url}${HEALTH_CHECK_PATH}`)).status).toBe(401);
  });

  it("instance_settings fails alone while Code Suggestions is off for the instance", async () => {
    await selfManaged.fixtures.settings({ instanceLevelCodeSuggestionsEnabled: false });
    try {
      const report = await healthCheck(selfManaged, adminToken);
      expect(failed(report)).toEqual(["instance_settings"]);
      expect(message(report, "instance_settings")).toContain(
        "instance_level_code_suggestions_enabled is off",
      );
    } finally {
      await selfManaged.fixtures.settings({ instanceLevelCodeSuggestionsEnabled: true });
    }
  });

  it("without a stored token, says so and does not ask SaaS about one", async () => {
    const report = await withStoredToken("", () => healthCheck(selfManaged, adminToken));
    expect(failed(report)).toEqual([
      "instance_settings",
      "service_token",
      "token_issuance",
      "instance_token",
      "code_completion",
    ]);
    expect(message(report, "instance_settings")).toContain("no ai_access_token is stored");
    expect(message(report, "code_completion")).toBe(
      "not checked: no instance token is held (see instance_token)",
    );
    expect(message(report, "service_token")).toMatch(/^not checked/);
  });

  it.each([
    { why: "revoked", options: { revoked: true }, says: "Token was revoked" },
    { why: "expired", options: { expired: true }, says: "Token has expired" },
    {
      why: "only read_user",
      options: { scopes: ["read_user"] },
      says: "neither the api nor the ai_features scope",
    },
  ])("service_token fails when the stored token is $why on SaaS", async ({ options, says }) => {
    const { user, token } = await saas.fixtures.userWithToken({}, options);
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: user.id,
    });
    const report = await withStoredToken(token, () => healthCheck(selfManaged, adminToken));
    expect(failed(report)).toContain("service_token");
    expect(failed(report)).not.toContain("saas_reachable");
    expect(message(report, "service_token")).toContain(says);
    expect(message(report, "service_token")).toContain("store it");
    expect(JSON.stringify(report)).not.toContain(token.slice(6));
  });

  it("service_token warns when the stored token expires within 30 days", async () => {
    const { user, token } = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: true,
      userId: user.id,
    });
    const expiresAt = new Date(Date.now() + 21 * 24 * 60 * 60 * 1000);
    await saas.database.prisma.personalAccessToken.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(`${expiresAt.toISOString().slice(0, 10)}T00:00:00Z`) },
    });
    const report = await withStoredToken(token, () => healthCheck(selfManaged, adminToken));
    expect(failed(report)).toEqual([]);
    expect(message(report, "service_token")).toMatch(
      new RegExp(
        `^the stored ai_access_token expires on ${expiresAt.toISOString().slice(0, 10)}, in 2[12] days: create a new one on SaaS and store it$`,
      ),
    );
  });

  it("token_issuance fails alone while the instance-admin flag is off for the service account on SaaS", async () => {
    // The instance token fetched before the flag went off is still held, and used.
    await selfManaged.app.instanceToken.current();
    await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
      enabled: false,
      userId: serviceAccountId,
    });
    try {
      const report = await healthCheck(selfManaged, adminToken);
      expect(failed(report)).toEqual(["token_issuance"]);
      expect(message(report, "token_issuance")).toContain(
        "code_suggestions_for_instance_admin_enabled",
      );
    } finally {
      await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
        enabled: true,
        userId: serviceAccountId,
      });
    }
  });

  it("saas_reachable fails when SaaS does not answer, and the token probes are not run", async () => {
    const unreachable = await configuredSelfManaged(
      `http://127.0.0.1:${await freePort()}`,
      serviceToken,
      { AI_GATEWAY_URL: gateway.url },
    );
    try {
      const { token } = await unreachable.fixtures.userWithToken(
        { admin: true },
        { scopes: ["api"] },
      );
      const report = await healthCheck(unreachable, token);
      expect(failed(report)).toEqual([
        "saas_reachable",
        "service_token",
        "token_issuance",
        "instance_token",
        "code_completion",
      ]);
      expect(message(report, "instance_token")).toMatch(
        /^no instance token: SaaS at .* refused the connection \(ECONNREFUSED\)/,
      );
      expect(message(report, "saas_reachable")).toMatch(
        /refused the connection \(ECONNREFUSED\): check SAAS_URL/,
      );
    } finally {
      await unreachable.close();
    }
  });

  it("ai_gateway_reachable and code_completion fail while the gateway named by ai_gateway_url is down", async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const report = await withGatewaySetting(down, () => healthCheck(selfManaged, adminToken));
    expect(failed(report)).toEqual(["ai_gateway_reachable", "code_completion"]);
    expect(message(report, "ai_gateway_reachable")).toBe(
      `the AI gateway at ${down} refused the connection (ECONNREFUSED): check ai_gateway_url, and that the gateway runs and this instance can reach it`,
    );
    expect(message(report, "code_completion")).toBe(
      "not checked: the AI gateway is not reachable (see ai_gateway_reachable)",
    );
  });

  it("code_completion fails, saying so, while the gateway has no model configured", async () => {
    const withoutModel = await startAiGateway({
      env: { AI_GATEWAY_TRUSTED_ISSUERS: saas.url },
    });
    try {
      const report = await withGatewaySetting(withoutModel.url, () =>
        healthCheck(selfManaged, adminToken),
      );
      expect(failed(report)).toEqual(["code_completion"]);
      expect(message(report, "ai_gateway_reachable")).toBe(
        `the AI gateway at ${withoutModel.url} (ai_gateway_url) answered`,
      );
      expect(message(report, "code_completion")).toBe(
        "the AI gateway has no model configured (503): set MODEL_ENDPOINT and MODEL_NAME on the gateway",
      );
    } finally {
      await withoutModel.close();
    }
  });
});
