import type { SaasConfig } from "@token-broker/saas/config";
import { freePort, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestToken } from "../support/token-request.ts";
import { configuredSelfManaged, saasWithServiceAccount } from "./instances.ts";
import { createTestPki, type TestPki } from "./test-pki.ts";
import { type RunningProxy, startTinyproxy } from "./tinyproxy.ts";

const BAD_GATEWAY = { message: "502 Bad Gateway" };
const PROXY_USER = "broker";
const PROXY_PASSWORD = "pr0xy-s3cret-pass";

/**
 * The SaaS hop in a corporate network (docs/operations.md, Egress proxy and CA): SaaS on TLS with a
 * certificate from a CA made for the test, reached through Debian's tinyproxy.
 */
describe("the SaaS hop through a forward proxy, with a private CA", () => {
  let pki: TestPki;
  let saas: RunningService<SaasConfig>;
  let serviceToken: string;
  let proxy: RunningProxy;
  let saasHostPort: string;

  beforeAll(async () => {
    pki = createTestPki();
    ({ saas, serviceToken } = await saasWithServiceAccount({ https: pki.server }));
    saasHostPort = new URL(saas.url).host;
    proxy = await startTinyproxy({ user: PROXY_USER, password: PROXY_PASSWORD });
  });
  afterAll(async () => {
    await proxy?.stop();
    await saas?.close();
    pki?.remove();
  });

  const authenticatedProxy = () => `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`;

  /** A token request through a self-managed instance with `env`, and what SaaS and the proxy saw. */
  async function tokenRequest(env: Record<string, string>) {
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken, env);
    try {
      const { token } = await selfManaged.fixtures.userWithToken();
      const [connectsBefore, receivedBefore] = [proxy.connects().length, saas.received.length];
      const response = await requestToken(selfManaged.url, token);
      return {
        ...response,
        connects: proxy.connects().slice(connectsBefore),
        received: saas.received.slice(receivedBefore),
        logs: selfManaged.logs.join(""),
      };
    } finally {
      await selfManaged.close();
    }
  }

  it("gets a token through the proxy with CONNECT, trusting SAAS_CA_FILE; credentials stay out of the logs", async () => {
    const response = await tokenRequest({
      HTTPS_PROXY: authenticatedProxy(),
      SAAS_CA_FILE: pki.caFile,
    });
    expect(response.status).toBe(201);
    expect(response.connects).toEqual([saasHostPort]);
    expect(response.received).toHaveLength(1);
    expect(response.logs).toContain(`through the proxy http://127.0.0.1:${proxy.port}`);
    expect(response.logs).not.toContain(PROXY_PASSWORD);
  });

  it("reads the lower-case spelling, https_proxy, too", async () => {
    const response = await tokenRequest({
      https_proxy: authenticatedProxy(),
      SAAS_CA_FILE: pki.caFile,
    });
    expect(response.status).toBe(201);
    expect(response.connects).toEqual([saasHostPort]);
  });

  it.each([
    { noProxy: "127.0.0.1" },
    { noProxy: "*" },
    { noProxy: "gitlab.example.com, .example.org,127.0.0.1:{port}" },
  ])("goes direct when NO_PROXY=$noProxy names SaaS", async ({ noProxy }) => {
    const response = await tokenRequest({
      HTTPS_PROXY: authenticatedProxy(),
      NO_PROXY: noProxy.replace("{port}", new URL(saas.url).port),
      SAAS_CA_FILE: pki.caFile,
    });
    expect(response.status).toBe(201);
    expect(response.connects).toEqual([]);
    expect(response.received).toHaveLength(1);
  });

  it("still uses the proxy when NO_PROXY names SaaS's host on another port", async () => {
    const response = await tokenRequest({
      HTTPS_PROXY: authenticatedProxy(),
      no_proxy: "127.0.0.1:1,localhost",
      SAAS_CA_FILE: pki.caFile,
    });
    expect(response.status).toBe(201);
    expect(response.connects).toEqual([saasHostPort]);
  });

  it("502 when the proxy is down", async () => {
    const response = await tokenRequest({
      HTTPS_PROXY: `http://127.0.0.1:${await freePort()}`,
      SAAS_CA_FILE: pki.caFile,
    });
    expect([response.status, response.body]).toEqual([502, BAD_GATEWAY]);
    expect(response.received).toEqual([]);
  });

  it("502 when the proxy refuses the credentials", async () => {
    const response = await tokenRequest({
      HTTPS_PROXY: `http://${PROXY_USER}:wrong-password@127.0.0.1:${proxy.port}`,
      SAAS_CA_FILE: pki.caFile,
    });
    expect([response.status, response.body]).toEqual([502, BAD_GATEWAY]);
    expect(response.received).toEqual([]);
  });

  it.each([
    {
      why: "SAAS_CA_FILE holds another CA",
      env: (): Record<string, string> => ({ SAAS_CA_FILE: pki.otherCaFile }),
    },
    { why: "no SAAS_CA_FILE (default roots only)", env: (): Record<string, string> => ({}) },
  ])(
    "502 when SaaS's certificate does not verify ($why): the service token is never sent",
    async ({ env }) => {
      const response = await tokenRequest({ HTTPS_PROXY: authenticatedProxy(), ...env() });
      expect([response.status, response.body]).toEqual([502, BAD_GATEWAY]);
      expect(response.connects).toEqual([saasHostPort]);
      expect(response.received).toEqual([]);
    },
  );

  /** The admin API's health check on an instance with `env`. */
  async function healthCheck(env: Record<string, string>) {
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken, env);
    try {
      const { token } = await selfManaged.fixtures.userWithToken(
        { admin: true },
        { scopes: ["api"] },
      );
      const connectsBefore = proxy.connects().length;
      const response = await fetch(`${selfManaged.url}/api/v4/code_suggestions/health_check`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const report = (await response.json()) as {
        success: boolean;
        probes: { name: string; success: boolean; message: string }[];
      };
      return { report, connects: proxy.connects().slice(connectsBefore) };
    } finally {
      await selfManaged.close();
    }
  }

  it("the health check goes the same way, and names the proxy without its password", async () => {
    const { report, connects } = await healthCheck({
      HTTPS_PROXY: authenticatedProxy(),
      SAAS_CA_FILE: pki.caFile,
    });
    // instance_token too: the instance token is fetched over the same hop. No AI gateway runs
    // here: its two probes fail, and never through the proxy (the gateway is reached directly).
    expect(report.probes.map(({ name, success }) => [name, success])).toEqual([
      ["instance_settings", true],
      ["saas_reachable", true],
      ["service_token", true],
      ["token_issuance", true],
      ["instance_token", true],
      ["ai_gateway_reachable", false],
      ["code_completion", false],
    ]);
    expect(report.probes[1]?.message).toBe(
      `SaaS at ${saas.url} answered through the proxy http://127.0.0.1:${proxy.port}`,
    );
    expect(connects.length).toBeGreaterThan(0);
    expect(new Set(connects)).toEqual(new Set([saasHostPort]));
    expect(JSON.stringify(report)).not.toContain(PROXY_PASSWORD);
  });

  it.each([
    {
      why: "the proxy refuses the credentials",
      env: (): Record<string, string> => ({
        HTTPS_PROXY: `http://${PROXY_USER}:wrong-password@127.0.0.1:${proxy.port}`,
        SAAS_CA_FILE: pki.caFile,
      }),
      // tinyproxy answers a CONNECT with wrong credentials 401 where others say 407.
      says: /refused to connect to SaaS \(40[17]\): check the credentials in HTTPS_PROXY/,
    },
    {
      why: "SaaS's certificate is from a CA not in SAAS_CA_FILE",
      env: (): Record<string, string> => ({
        HTTPS_PROXY: authenticatedProxy(),
        SAAS_CA_FILE: pki.otherCaFile,
      }),
      says: /put its CA certificate in the PEM file named by SAAS_CA_FILE/,
    },
  ])("the health check tells the administrator what to do when $why", async ({ env, says }) => {
    const { report } = await healthCheck(env());
    expect(report.success).toBe(false);
    expect(report.probes[1]).toMatchObject({ name: "saas_reachable", success: false });
    expect(report.probes[1]?.message).toMatch(says);
    expect(JSON.stringify(report)).not.toContain("wrong-password");
    expect(JSON.stringify(report)).not.toContain(PROXY_PASSWORD);
  });
});
