import { describe, expect, it } from "vitest";
import { sample, scrape } from "../support/metrics.ts";
import {
  completionBody,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  useGatewayWorld,
} from "./gateway-world.ts";
import { startAiGateway } from "./running-gateway.ts";

const world = useGatewayWorld();

describe("AI gateway: /-/metrics", () => {
  it("model requests by outcome and streaming, HTTP requests by route template", async () => {
    const { gateway, model } = world();
    const auth = await instanceToken(world());
    await gatewayPost(gateway.url, "/v2/code/completions", { ...auth, body: completionBody() });
    await gatewayPost(gateway.url, "/v2/code/completions", {
      ...auth,
      body: completionBody({ stream: true }),
    });
    model.configure({ answer: "not-a-completion" });
    try {
      await gatewayPost(gateway.url, "/v2/code/completions", { ...auth, body: completionBody() });
    } finally {
      model.configure({});
    }
    const { status, text } = await scrape(gateway.url);
    expect(status).toBe(200);
    const count = (labels: Record<string, string>) =>
      sample(text, "model_request_duration_seconds_count", labels);
    expect(count({ outcome: "ok", stream: "false" })).toBe(1);
    expect(count({ outcome: "ok", stream: "true" })).toBe(1);
    expect(count({ outcome: "invalid", stream: "false" })).toBe(1);
    expect(
      sample(text, "http_requests_total", { route: "/v2/code/completions", status: "502" }),
    ).toBe(1);
  });

  it("only for METRICS_ALLOWED_IPS: anyone else sees the 404 of an unknown path", async () => {
    const gateway = await startAiGateway({
      env: { ...gatewayEnv(world()), METRICS_ALLOWED_IPS: "10.0.0.0/8" },
    });
    try {
      const response = await fetch(`${gateway.url}/-/metrics`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not Found" });
    } finally {
      await gateway.close();
    }
  });
});
