import { BrokerError } from "@token-broker/errors";

/** One line of a model's event stream longer than this is refused (a chunk is a few tokens). */
const MAX_LINE_BYTES = 64 * 1024;

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * The `data:` payloads of a `text/event-stream` body, fed packet by packet, whatever the
 * packets' boundaries: lines are reassembled across packets (`\n`, `\r\n` or `\r`), comments
 * and other fields skipped, multi-line data joined with `\n` (the SSE specification). It is
 * synchronous: the events one packet completes come out of one call, with no promise or
 * generator per event (the gateway's stream path runs it once per packet of every stream).
 */
export class ServerSentData {
  readonly #decoder = new TextDecoder("utf-8");
  #pending = "";
  #data: string[] = [];

  /** The data of the events that `packet` completes, in order. */
  push(packet: Buffer | string): string[] {
    const text =
      this.#pending +
      (typeof packet === "string" ? packet : this.#decoder.decode(packet, { stream: true }));
    const events: string[] = [];
    let start = 0;
    LINE_BREAK.lastIndex = 0;
    for (let match = LINE_BREAK.exec(text); match !== null; match = LINE_BREAK.exec(text)) {
      // A lone \r at the end of the text may be the first half of \r\n: wait for more.
      if (match[0] === "\r" && match.index === text.length - 1) break;
      this.#line(text.slice(start, match.index), events);
      start = match.index + match[0].length;
    }
    this.#pending = start === 0 ? text : text.slice(start);
    if (this.#pending.length > MAX_LINE_BYTES) {
      throw new BrokerError("model_invalid_answer", "model answer refused", {
        cause: new Error("an event-stream line too long"),
      });
    }
    return events;
  }

  /** The data of an event the body ended in without its blank line (a line cut short is not one). */
  end(): string[] {
    const events = this.#data.length > 0 ? [this.#data.join("\n")] : [];
    this.#data = [];
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line === "") {
      if (this.#data.length > 0) events.push(this.#data.join("\n"));
      this.#data = [];
    } else if (line.startsWith("data:")) {
      this.#data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
  }
}
