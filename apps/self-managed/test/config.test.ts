import { describe, expect, it } from "vitest";
import { readSelfManagedConfig } from "../src/config.ts";

describe("self-managed configuration", () => {
  it("proxies to GitLab.com within 5 s by default, directly", () => {
    expect(readSelfManagedConfig({})).toMatchObject({
      port: 3000,
      saasUrl: "https://gitlab.com",
      saasTimeoutMs: 5000,
      saasNetwork: { noProxy: "" },
    });
    expect(readSelfManagedConfig({}).saasNetwork.proxy).toBeUndefined();
  });

  it("reads SAAS_URL (a path prefix is kept: SaaS may be served under one)", () => {
    expect(
      readSelfManagedConfig({
        SAAS_URL: "https://saas.example.com/gitlab/",
        SAAS_TIMEOUT_MS: "250",
      }),
    ).toMatchObject({ saasUrl: "https://saas.example.com/gitlab", saasTimeoutMs: 250 });
  });

  it.each([
    { env: { SAAS_URL: "gitlab.com" }, variable: "SAAS_URL" },
    { env: { SAAS_URL: "https://user:secret@gitlab.com" }, variable: "SAAS_URL" },
    { env: { SAAS_TIMEOUT_MS: "0" }, variable: "SAAS_TIMEOUT_MS" },
    { env: { SAAS_TIMEOUT_MS: "5s" }, variable: "SAAS_TIMEOUT_MS" },
    { env: { HTTPS_PROXY: "ftp://proxy:21" }, variable: "HTTPS_PROXY" },
    { env: { SAAS_CA_FILE: "/nonexistent/ca.pem" }, variable: "SAAS_CA_FILE" },
    { env: { EXTERNAL_URL: "https://gitlab.example.com/gitlab" }, variable: "EXTERNAL_URL" },
    { env: { LOG_FORMAT: "text" }, variable: "LOG_FORMAT" },
  ])("refuses $variable=$env with a message naming it", ({ env, variable }) => {
    expect(() => readSelfManagedConfig(env)).toThrow(
      new RegExp(`^Invalid configuration: ${variable} `),
    );
  });
});
