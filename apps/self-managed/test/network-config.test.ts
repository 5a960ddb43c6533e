import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSaasNetwork } from "../src/saas-proxy/network-config.ts";

const dir = mkdtempSync(path.join(tmpdir(), "broker-network-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const written = path.join(dir, name);
  writeFileSync(written, content);
  return written;
}

describe("the SaaS hop's network variables", () => {
  it("takes the proxy of SAAS_URL's scheme, lower case first, and names it without credentials", () => {
    const env = {
      https_proxy: "http://user:secret@proxy.corp:3128",
      HTTPS_PROXY: "http://other:8080",
      HTTP_PROXY: "http://plain:8080",
    };
    expect(readSaasNetwork(env, "https://gitlab.com")).toMatchObject({
      proxy: "http://user:secret@proxy.corp:3128/",
      proxyName: "http://proxy.corp:3128",
    });
    expect(readSaasNetwork(env, "http://saas.internal")).toMatchObject({
      proxy: "http://plain:8080/",
    });
    expect(readSaasNetwork({ HTTP_PROXY: "http://plain:8080" }, "https://gitlab.com")).toEqual({
      noProxy: "",
      extraCertificates: [],
    });
  });

  it("takes host:port as an http proxy, as curl does", () => {
    expect(readSaasNetwork({ HTTPS_PROXY: "proxy.corp:3128" }, "https://gitlab.com")).toMatchObject(
      { proxyName: "http://proxy.corp:3128" },
    );
  });

  it.each(["socks5://proxy:1080", "http://user:secret@proxy:3128/path", "http://user:secret@:x"])(
    "refuses HTTPS_PROXY=%s without repeating it",
    (value) => {
      expect(() => readSaasNetwork({ HTTPS_PROXY: value }, "https://gitlab.com")).toThrow(
        /^Invalid configuration: HTTPS_PROXY must/,
      );
      try {
        readSaasNetwork({ HTTPS_PROXY: value }, "https://gitlab.com");
      } catch (error) {
        expect(String(error)).not.toContain("secret");
      }
    },
  );

  it("writes NO_PROXY's IPv6 addresses as undici compares them, in brackets", () => {
    expect(
      readSaasNetwork({ no_proxy: "::1, .corp.example,10.0.0.1:443", NO_PROXY: "x" }, "https://a")
        .noProxy,
    ).toBe("[::1],.corp.example,10.0.0.1:443");
  });

  it("reads SAAS_CA_FILE's certificates, and stops at start naming it when it cannot", () => {
    const missing = path.join(dir, "missing.pem");
    expect(() => readSaasNetwork({ SAAS_CA_FILE: missing }, "https://a")).toThrow(
      `Invalid configuration: SAAS_CA_FILE cannot be read (${missing}: ENOENT)`,
    );
    const text = file("text.pem", "not a certificate");
    expect(() => readSaasNetwork({ SAAS_CA_FILE: text }, "https://a")).toThrow(
      /^Invalid configuration: SAAS_CA_FILE holds no PEM certificate/,
    );
    const broken = file(
      "broken.pem",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    expect(() => readSaasNetwork({ SAAS_CA_FILE: broken }, "https://a")).toThrow(
      /^Invalid configuration: SAAS_CA_FILE holds an invalid certificate/,
    );
  });
});
