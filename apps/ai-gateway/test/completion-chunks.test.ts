import { describe, expect, it } from "vitest";
import { CompletionChunks } from "../src/model/completion-chunks.ts";

const event = (text: string) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, text, finish_reason: null }] })}\n\n`;
const FRAME = { start: () => "<", chunk: (text: string) => `[${text}]`, end: () => ">" };

function pieces(chunks: CompletionChunks): string[] {
  const read: string[] = [];
  chunks.on("data", (piece: Buffer) => read.push(piece.toString()));
  return read;
}

describe("a model's stream framed for the client", () => {
  it("the events of one packet leave as one piece; the first with the start", async () => {
    const chunks = new CompletionChunks(FRAME);
    const read = pieces(chunks);
    chunks.write(event("a") + event("b") + event("c"));
    await chunks.first;
    chunks.write(event("d"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(read).toEqual(["<[a][b][c]", "[d]"]);
  });

  it("ends the client's answer at [DONE], before the model's body has ended", async () => {
    const chunks = new CompletionChunks(FRAME);
    const read = pieces(chunks);
    const ended = new Promise((resolve) => chunks.once("end", resolve));
    chunks.write(`${event("a")}data: [DONE]\n\n`);
    await ended;
    expect(read).toEqual(["<[a]>"]);
    expect(chunks.done).toBe(true);
    expect(chunks.writableEnded).toBe(false);
  });

  it("refuses what comes after [DONE], a body that ends without it, and a first event that is no completion", async () => {
    const after = new CompletionChunks(FRAME);
    pieces(after);
    const failedAfter = new Promise((resolve) => after.once("error", resolve));
    after.write("data: [DONE]\n\n");
    after.write(event("late"));
    expect(String(await failedAfter)).toContain("model answer refused");

    const cut = new CompletionChunks(FRAME);
    pieces(cut);
    cut.end(event("a"));
    await cut.first;
    expect(String(await new Promise((resolve) => cut.once("error", resolve)))).toContain(
      "model answer refused",
    );

    const chat = new CompletionChunks(FRAME);
    chat.write(`data: ${JSON.stringify({ choices: [{ message: { content: "x" } }] })}\n\n`);
    await expect(chat.first).rejects.toThrow("model answer refused");
  });
});

describe("a framed stream closed before its first piece", () => {
  it("settles `first` (rejects) when destroyed without an error, so no request waits forever", async () => {
    const chunks = new CompletionChunks(FRAME);
    chunks.destroy();
    await expect(chunks.first).rejects.toThrow("model answer refused");
  });
});
