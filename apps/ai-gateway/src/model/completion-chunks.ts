import { Transform, type TransformCallback } from "node:stream";
import { BrokerError } from "@token-broker/errors";
import {
  completionText,
  invalidModelAnswer,
  MAX_COMPLETION_CHARACTERS,
  parseModelJson,
} from "./model-answer.ts";
import { ServerSentData } from "./server-sent-data.ts";

/** How the completion's chunks are written to the client (v2: raw text; v4: its events). */
export interface ChunkFrame {
  readonly start?: () => string;
  readonly chunk: (text: string) => string;
  readonly end?: () => string;
}

/**
 * A model's `text/event-stream` body in, the client's framed completion out, in one
 * synchronous step per packet: the events a packet completes are parsed, checked and framed
 * together, and leave in one write (however many arrived at once, as they do on a busy
 * machine). The client's answer ends at `[DONE]`; the model's body is still read to its end,
 * so that its connection is kept for the next request, and anything after `[DONE]` is
 * refused (the connection is closed). Backpressure: one framed piece is buffered at most.
 */
export class CompletionChunks extends Transform {
  /** Settles at the first framed piece (or a whole answer without one), or the first failure. */
  readonly first: Promise<void>;
  /** `[DONE]` was read: the answer is whole. */
  done = false;
  /** The client's answer has begun (a failure from now on cuts it short). */
  started = false;
  readonly #frame: ChunkFrame;
  readonly #events = new ServerSentData();
  #characters = 0;
  #settleFirst: (error?: Error) => void = () => {};

  constructor(frame: ChunkFrame) {
    super({ readableHighWaterMark: 1, writableHighWaterMark: 1, decodeStrings: true });
    this.#frame = frame;
    this.first = new Promise<void>((resolve, reject) => {
      this.#settleFirst = (error) => (error ? reject(error) : resolve());
    });
    // Read by whoever waits for it; a failure after the first piece is the stream's own.
    this.first.catch(() => {});
    this.once("error", (error) => this.#settleFirst(error));
    // Destroyed without an error before its first piece: no answer comes (after one, a no-op).
    this.once("close", () => this.#settleFirst(invalidModelAnswer("closed before a chunk")));
  }

  override _transform(packet: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (this.done) {
      callback(invalidModelAnswer("data after [DONE]"));
      return;
    }
    this.#framed(() => this.#events.push(packet), callback);
  }

  override _flush(callback: TransformCallback) {
    if (this.done) {
      callback();
      return;
    }
    this.#framed(
      () => this.#events.end(),
      (error) =>
        callback(
          error ?? (this.done ? null : invalidModelAnswer("a stream that ended without [DONE]")),
        ),
    );
  }

  /** Frames the completion of the events `read` returns, and pushes it in one piece. */
  #framed(read: () => string[], callback: TransformCallback): void {
    let out = "";
    try {
      for (const data of read()) {
        if (data === "[DONE]") {
          this.done = true;
          break;
        }
        const text = completionText(parseModelJson(data));
        this.#characters += text.length;
        if (this.#characters > MAX_COMPLETION_CHARACTERS) {
          throw invalidModelAnswer("a completion too long");
        }
        if (text !== "") out += this.#frame.chunk(text);
      }
    } catch (error) {
      callback(error instanceof BrokerError ? error : invalidModelAnswer("unreadable"));
      return;
    }
    if (this.done && this.#frame.end) out += this.#frame.end();
    if (out !== "" || this.done) {
      if (!this.started && this.#frame.start) out = this.#frame.start() + out;
      this.started = true;
      if (out !== "") this.push(out);
      if (this.done) this.push(null);
      this.#settleFirst();
    }
    callback();
  }
}
