import { describe, expect, it } from "vitest";
import { readEditorConfig } from "../src/editor-config.ts";
import { ConfigurationError } from "../src/environment.ts";

describe("editor configuration", () => {
  it("has the contract's defaults", () => {
    expect(readEditorConfig({})).toEqual({
      gitlabVersion: "17.2.0",
      aiGatewayUrl: "http://localhost:5052",
      completionsPerUser: 60,
      directAccessPerUser: 50,
      gatewayTimeoutMs: 55_000,
    });
  });

  it("reads every variable", () => {
    expect(
      readEditorConfig({
        GITLAB_VERSION: "17.5.1-ee",
        AI_GATEWAY_URL: "https://gateway.example.com/",
        COMPLETIONS_RATE_LIMIT_PER_USER: "0",
        DIRECT_ACCESS_RATE_LIMIT_PER_USER: "7",
        AI_GATEWAY_TIMEOUT_MS: "2000",
      }),
    ).toEqual({
      gitlabVersion: "17.5.1-ee",
      aiGatewayUrl: "https://gateway.example.com",
      completionsPerUser: 0,
      directAccessPerUser: 7,
      gatewayTimeoutMs: 2000,
    });
  });

  it.each([
    { env: { GITLAB_VERSION: "17" }, variable: "GITLAB_VERSION" },
    { env: { GITLAB_VERSION: "latest" }, variable: "GITLAB_VERSION" },
    { env: { GITLAB_VERSION: "17.2.0\r\nX-Injected: 1" }, variable: "GITLAB_VERSION" },
    { env: { AI_GATEWAY_URL: "gateway:5052" }, variable: "AI_GATEWAY_URL" },
    { env: { AI_GATEWAY_URL: "https://user:pw@gateway" }, variable: "AI_GATEWAY_URL" },
    { env: { COMPLETIONS_RATE_LIMIT_PER_USER: "-1" }, variable: "COMPLETIONS_RATE_LIMIT_PER_USER" },
    {
      env: { DIRECT_ACCESS_RATE_LIMIT_PER_USER: "many" },
      variable: "DIRECT_ACCESS_RATE_LIMIT_PER_USER",
    },
    { env: { AI_GATEWAY_TIMEOUT_MS: "0" }, variable: "AI_GATEWAY_TIMEOUT_MS" },
  ])("refuses $variable=$env with a message naming it", ({ env, variable }) => {
    const read = () => readEditorConfig(env);
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
