import { BrokerError } from "@token-broker/errors";

/** One line of a model's event stream longer than this is refused (a chunk is a few tokens). */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * The `data:` payloads of a `text/event-stream` body as they arrive, whatever the TCP
 * packets' boundaries: lines are reassembled across chunks (`\n`, `\r\n` or `\r`), comments
 * and other fields skipped, multi-line data joined with `\n` (the SSE specification).
 */
export async function* serverSentData(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let data: string[] = [];
  for await (const chunk of body) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let end = pending.search(/\r\n|\r|\n/);
    while (end !== -1) {
      const line = pending.slice(0, end);
      const breakLength = pending.startsWith("\r\n", end) ? 2 : 1;
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (breakLength === 1 && pending[end] === "\r" && end === pending.length - 1) break;
      pending = pending.slice(end + breakLength);
      if (line === "") {
        if (data.length > 0) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      end = pending.search(/\r\n|\r|\n/);
    }
    if (pending.length > MAX_LINE_BYTES) {
      throw new BrokerError("model_invalid_answer", "model answer refused", {
        cause: new Error("an event-stream line too long"),
      });
    }
  }
  if (data.length > 0) yield data.join("\n");
}
