import { describe, expect, it } from "vitest";
import { ServerSentData } from "../src/model/server-sent-data.ts";

function collect(parts: readonly (string | Buffer)[]): string[] {
  const parser = new ServerSentData();
  return [...parts.flatMap((part) => parser.push(part)), ...parser.end()];
}

describe("server-sent data from a model's stream", () => {
  it("events split anywhere across packets, with \\n, \\r\\n or \\r line breaks", () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\r\n\r\n: comment\nevent: x\ndata: [DONE]\r\r';
    const whole = collect([stream]);
    expect(whole).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
    for (let cut = 1; cut < stream.length; cut += 1) {
      expect(collect([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
    }
  });

  it("every event a packet completes comes out of that packet, in order", () => {
    const parser = new ServerSentData();
    expect(parser.push("data: a\n\ndata: b\n\ndata: c")).toEqual(["a", "b"]);
    expect(parser.push("\n\n")).toEqual(["c"]);
  });

  it("a character split across packets (UTF-8) is decoded whole", () => {
    const bytes = Buffer.from('data: {"t":"é✓"}\n\n');
    const cut = bytes.indexOf(0xe2) + 1;
    expect(collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"t":"é✓"}']);
  });

  it("multi-line data joined with \\n; `data:` without a space; an event the body ends in", () => {
    expect(collect(["data:one\ndata: two\n\n"])).toEqual(["one\ntwo"]);
    expect(collect(["data: last\n"])).toEqual(["last"]);
  });

  it("a line over 64 KB is refused", () => {
    expect(() => collect([`data: ${"x".repeat(70_000)}`])).toThrow("model answer refused");
  });
});
