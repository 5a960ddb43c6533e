import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readAiGatewayConfig } from "../src/config.ts";

const ISSUERS = { AI_GATEWAY_TRUSTED_ISSUERS: "https://saas.example.com/" };
const rsaPem = (bits: number) =>
  generateKeyPairSync("rsa", { modulusLength: bits })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();

describe("AI gateway configuration", () => {
  it("defaults: port 5052, 120 completions a minute, no model (completions answer 503)", () => {
    const config = readAiGatewayConfig(ISSUERS);
    expect(config).toMatchObject({
      service: "ai-gateway",
      port: 5052,
      host: "127.0.0.1",
      logLevel: "info",
      trustedIssuers: ["https://saas.example.com"],
      rateLimitPerUser: 120,
      redis: undefined,
      metricsAllowedIps: ["127.0.0.0/8", "::1/128"],
      model: undefined,
      signingKey: undefined,
      production: false,
    });
  });

  it("the model: MODEL_PROMPT_FORMAT suffix and MODEL_TIMEOUT_MS 10000 by default; a trailing /v1 is the base URL's", () => {
    const config = readAiGatewayConfig({
      ...ISSUERS,
      MODEL_ENDPOINT: "http://vllm:8000/v1/",
      MODEL_NAME: "Qwen/Qwen2.5-Coder-7B",
      MODEL_API_KEY: "key",
    });
    expect(config.model).toMatchObject({
      endpoint: "http://vllm:8000",
      name: "Qwen/Qwen2.5-Coder-7B",
      apiKey: "key",
      promptFormat: "suffix",
      timeoutMs: 10_000,
    });
  });

  it.each([
    [{}, "AI_GATEWAY_TRUSTED_ISSUERS is required"],
    [{ AI_GATEWAY_TRUSTED_ISSUERS: " , " }, "AI_GATEWAY_TRUSTED_ISSUERS names no URL"],
    [
      { AI_GATEWAY_TRUSTED_ISSUERS: "saas.example.com" },
      "AI_GATEWAY_TRUSTED_ISSUERS must be an http or https URL",
    ],
    [{ ...ISSUERS, NODE_ENV: "production" }, "AI_GATEWAY_SIGNING_KEY is required in production"],
    [
      { ...ISSUERS, AI_GATEWAY_SIGNING_KEY: "not a key" },
      "AI_GATEWAY_SIGNING_KEY is not a PEM private key",
    ],
    [
      { ...ISSUERS, MODEL_ENDPOINT: "http://vllm:8000" },
      "MODEL_NAME is required with MODEL_ENDPOINT",
    ],
    [
      { ...ISSUERS, MODEL_PROMPT_FORMAT: "llama3" },
      "MODEL_PROMPT_FORMAT must be one of suffix, codestral, codellama, codegemma, qwen, starcoder",
    ],
    [{ ...ISSUERS, MODEL_TIMEOUT_MS: "fast" }, "MODEL_TIMEOUT_MS must be an integer"],
    [
      { ...ISSUERS, AI_GATEWAY_RATE_LIMIT_PER_USER: "-1" },
      "AI_GATEWAY_RATE_LIMIT_PER_USER must be an integer",
    ],
    [{ ...ISSUERS, REDIS_URL: "http://redis" }, "REDIS_URL must be a redis:// or rediss:// URL"],
    [
      { ...ISSUERS, METRICS_ALLOWED_IPS: "everyone" },
      "METRICS_ALLOWED_IPS must be a comma-separated list",
    ],
  ])("%j: refuses to start, naming the variable", (env, message) => {
    expect(() => readAiGatewayConfig(env)).toThrow(message);
  });

  it("an RSA key of fewer than 2048 bits is refused; the message never quotes the key", () => {
    const pem = rsaPem(1024);
    let message = "";
    try {
      readAiGatewayConfig({ ...ISSUERS, AI_GATEWAY_SIGNING_KEY: pem });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("AI_GATEWAY_SIGNING_KEY has 1024 bits");
    expect(message).not.toContain("PRIVATE KEY");
  });

  it("production with a key: the key is kept, with literal \\n sequences read as newlines", () => {
    const pem = rsaPem(2048);
    const config = readAiGatewayConfig({
      ...ISSUERS,
      NODE_ENV: "production",
      AI_GATEWAY_SIGNING_KEY: pem.replaceAll("\n", "\\n"),
    });
    expect(config.production).toBe(true);
    expect(config.signingKey).toBe(pem);
  });
});
