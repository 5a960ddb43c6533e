import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * docker-compose.yml's wiring of the AI gateway, read as compose reads it (the container
 * smoke test brings the stack up for real; this runs with every `pnpm test`).
 */
const root = path.resolve(import.meta.dirname, "../..");
type ComposeService = {
  build?: { target?: string };
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
};
const compose = parse(readFileSync(path.join(root, "docker-compose.yml"), "utf8"), {
  merge: true,
}) as { services: Record<string, ComposeService> };
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");

describe("docker-compose.yml's AI gateway", () => {
  const gateway = service("ai-gateway");

  it("is built from the Dockerfile's ai-gateway target and published on 5052", () => {
    expect(gateway.build?.target).toBe("ai-gateway");
    expect(dockerfile).toMatch(/^FROM runtime AS ai-gateway$/m);
    expect(gateway.ports).toEqual([expect.stringMatching(/^\$\{AI_GATEWAY_PORT:-5052\}:5052$/)]);
  });

  it("trusts the issuer SaaS signs as: the same value as SaaS's EXTERNAL_URL", () => {
    expect(gateway.environment?.AI_GATEWAY_TRUSTED_ISSUERS).toBe(
      service("saas").environment?.EXTERNAL_URL,
    );
  });

  it("counts its rate limits in the Redis of the stack, once that answers", () => {
    const redisUrl = new URL(gateway.environment?.REDIS_URL ?? "");
    expect(compose.services[redisUrl.hostname]).toBeDefined();
    expect(gateway.depends_on?.[redisUrl.hostname]).toEqual({ condition: "service_healthy" });
  });

  it("takes its signing key from .env, refusing to start without one", () => {
    expect(gateway.environment?.AI_GATEWAY_SIGNING_KEY).toMatch(
      /^\$\{AI_GATEWAY_SIGNING_KEY:\?.+\}$/,
    );
  });

  it("is where SaaS and self-managed send completions", () => {
    for (const name of ["saas", "self-managed"]) {
      expect(service(name).environment?.AI_GATEWAY_URL, name).toBe("http://ai-gateway:5052");
    }
  });
});
