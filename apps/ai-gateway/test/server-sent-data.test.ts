import { describe, expect, it } from "vitest";
import { serverSentData } from "../src/model/server-sent-data.ts";

async function collect(parts: readonly (string | Buffer)[]): Promise<string[]> {
  const data: string[] = [];
  for await (const item of serverSentData(parts)) data.push(item);
  return data;
}

describe("server-sent data from a model's stream", () => {
  it("events split anywhere across packets, with \\n, \\r\\n or \\r line breaks", async () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\r\n\r\n: comment\nevent: x\ndata: [DONE]\r\r';
    const whole = await collect([stream]);
    expect(whole).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
    for (let cut = 1; cut < stream.length; cut += 1) {
      expect(await collect([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
    }
  });

  it("a character split across packets (UTF-8) is decoded whole", async () => {
    const bytes = Buffer.from('data: {"t":"é✓"}\n\n');
    const cut = bytes.indexOf(0xe2) + 1;
    expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"t":"é✓"}']);
  });

  it("multi-line data joined with \\n; `data:` without a space", async () => {
    expect(await collect(["data:one\ndata: two\n\n"])).toEqual(["one\ntwo"]);
  });

  it("a line over 64 KB is refused", async () => {
    await expect(collect([`data: ${"x".repeat(70_000)}`])).rejects.toThrow("model answer refused");
  });
});
