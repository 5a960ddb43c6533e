import { Readable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";

/**
 * A model's chunks as a response body, each written as it arrives: the first chunk has
 * already been read (so that a model failing before it still gets its own status), the
 * rest are pulled one at a time as the client's connection takes them (backpressure: one
 * chunk is buffered at most). When the client goes away the stream is destroyed, which
 * closes the model's connection (see the model client).
 */
export async function streamedAnswer(
  chunks: AsyncIterable<string>,
  frame: { start?: () => string; chunk: (text: string) => string; end?: () => string },
  log: FastifyBaseLogger,
): Promise<Readable> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* body(): AsyncGenerator<string> {
    try {
      if (frame.start) yield frame.start();
      if (!first.done) yield frame.chunk(first.value);
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        yield frame.chunk(next.value);
      }
      if (frame.end) yield frame.end();
    } catch (error) {
      // Headers are sent: the client sees the body cut short (no last chunk).
      const code = (error as { code?: unknown }).code;
      log.warn(
        { code: typeof code === "string" ? code : "stream_failed" },
        "the model's stream failed",
      );
      throw error;
    } finally {
      await iterator.return?.();
    }
  }
  return Readable.from(body(), { objectMode: false, highWaterMark: 1 });
}
