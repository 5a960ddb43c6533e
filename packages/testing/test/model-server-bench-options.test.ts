import { afterEach, describe, expect, it } from "vitest";
import { type ModelServer, startModelServer } from "../src/model-server/model-server.ts";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function complete(server: ModelServer): Promise<string> {
  const response = await fetch(`${server.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", prompt: "a", stream: false }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: { text: string }[] }).choices[0]?.text ?? "";
}

describe("the model stand-in's record of requests", () => {
  it("keeps every request by default, for the tests to read", async () => {
    const server = await startModelServer({ completion: "x" });
    servers.push(server);
    await complete(server);
    expect(server.received.map((request) => request.body.prompt)).toEqual(["a"]);
  });

  it("keeps none with record: false (a process nobody reads them in), and still answers", async () => {
    const server = await startModelServer({ completion: "x" }, { record: false });
    servers.push(server);
    expect(await complete(server)).toBe("x");
    expect(server.received).toEqual([]);
  });
});

/**
 * The body of a streamed completion as the client's reads return it; `onFirstRead` runs when
 * the first read arrives, before the next is taken.
 */
async function streamedReads(server: ModelServer, onFirstRead = () => {}): Promise<string[]> {
  const response = await fetch(`${server.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", prompt: "a", stream: true }),
  });
  const reads: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (reads.length === 0) onFirstRead();
    reads.push(decoder.decode(chunk, { stream: true }));
  }
  return reads;
}

describe("the model stand-in's events", () => {
  it("arrive whole with splitEvents: false, every read ending at an event's end", async () => {
    const server = await startModelServer({
      completion: "abcd",
      chunks: 4,
      chunkIntervalMs: 5,
      splitEvents: false,
    });
    servers.push(server);
    const reads = await streamedReads(server);
    expect(reads.every((read) => read.endsWith("\n\n"))).toBe(true);
    const data = reads.join("").split("\n\n").filter(Boolean);
    expect(data).toHaveLength(5);
    expect(data.at(-1)).toBe("data: [DONE]");
  });
});

describe("the model stand-in's fixed latency", () => {
  it("counts from the request's arrival: chunks due during a stall leave together after it", async () => {
    const server = await startModelServer({
      completion: "abcdef",
      chunks: 6,
      chunkIntervalMs: 20,
      splitEvents: false,
    });
    servers.push(server);
    const reads = await streamedReads(server, () => {
      // The stand-in shares this event loop: it stalls too, past every chunk's time.
      const until = performance.now() + 200;
      while (performance.now() < until);
    });
    const events = reads.join("").split("\n\n").filter(Boolean);
    expect(events).toHaveLength(7);
    // One interval apart after a late timer, the five chunks left would be five reads.
    expect(reads.length).toBeLessThanOrEqual(3);
  });
});
