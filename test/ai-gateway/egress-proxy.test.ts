import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProxy, startTinyproxy } from "../self-managed-proxy/tinyproxy.ts";
import {
  completionBody,
  gatewayEnv,
  gatewayPost,
  instanceToken,
  useGatewayWorld,
} from "./gateway-world.ts";
import { startAiGateway } from "./running-gateway.ts";

const world = useGatewayWorld();
let proxy: RunningProxy;
beforeAll(async () => {
  proxy = await startTinyproxy();
});
afterAll(() => proxy?.stop());

/** A completion from a gateway with `env`, and the CONNECTs the proxy saw meanwhile. */
async function throughProxy(env: Record<string, string>) {
  const gateway = await startAiGateway({ env: { ...gatewayEnv(world()), ...env } });
  try {
    const before = proxy.connects().length;
    const auth = await instanceToken(world());
    const answer = await gatewayPost(gateway.url, "/v2/code/completions", {
      ...auth,
      body: completionBody(),
    });
    return { status: answer.status, connects: proxy.connects().slice(before) };
  } finally {
    await gateway.close();
  }
}

describe("AI gateway: the model and issuer hops leave through the forward proxy, as self-managed's SaaS hop", () => {
  it("HTTP_PROXY: discovery, keys and the model request all go through it", async () => {
    const { status, connects } = await throughProxy({ HTTP_PROXY: proxy.url });
    expect(status).toBe(200);
    const model = new URL(world().model.url).host;
    const saas = new URL(world().saas.url).host;
    expect(connects).toContain(model);
    expect(connects).toContain(saas);
  });

  it("NO_PROXY naming the hosts: direct", async () => {
    const { status, connects } = await throughProxy({
      HTTP_PROXY: proxy.url,
      NO_PROXY: "127.0.0.1",
    });
    expect(status).toBe(200);
    expect(connects).toEqual([]);
  });

  it("a proxy that is down: the model is unreachable (503), never a 500", async () => {
    const { status } = await throughProxy({
      HTTP_PROXY: "http://127.0.0.1:9",
      NO_PROXY: new URL(world().saas.url).host,
    });
    expect(status).toBe(503);
  });
});
