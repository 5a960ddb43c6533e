/**
 * The load generator of the completion rows: `connections` editors, each sending one
 * completion request after the other on its own keep-alive connection (undici), for a fixed
 * duration or a fixed number of requests. autocannon, which drives the token rows, reports no
 * time to the first body byte, which is what an editor waiting for a streamed completion
 * feels; the same generator drives every completion row, streamed or not, so that D, G and I
 * are measured alike.
 */
import { setTimeout as delay } from "node:timers/promises";
import { type Dispatcher, Pool } from "undici";
import type { LoadResult } from "./load.ts";

export interface CompletionResult extends LoadResult {
  /** Time to the first body byte, median and 99th percentile, in ms. */
  readonly firstByteP50: number;
  readonly firstByteP99: number;
}

export interface CompletionRequest {
  readonly path: string;
  /** The request's headers, by request number (to cycle through users' tokens). */
  readonly headers: (n: number) => Record<string, string>;
  readonly body: string;
  /** Whether a 2xx answer's whole body is a completion (else it counts as an error). */
  readonly complete: (body: string) => boolean;
}

/** No request waits longer than this for its answer or between two chunks. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Exchange {
  readonly status: number;
  readonly body: string;
  /** performance.now() when the first body chunk arrived, and when the last did. */
  readonly firstByteAt: number | undefined;
  readonly doneAt: number;
}

/**
 * One request and its whole answer through undici's handler interface: each chunk is seen as
 * undici reads it (the first one's time is the time to the first byte), without a stream
 * per answer, so that the generator costs a fraction of a served stream.
 */
function exchange(pool: Pool, options: Dispatcher.DispatchOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let firstByteAt: number | undefined;
    const chunks: Buffer[] = [];
    pool.dispatch(options, {
      // undici tells its handler interfaces apart by this method.
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData(_controller, chunk) {
        firstByteAt ??= performance.now();
        chunks.push(chunk);
      },
      onResponseEnd() {
        const doneAt = performance.now();
        resolve({ status, body: Buffer.concat(chunks).toString("utf8"), firstByteAt, doneAt });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}

/** The value below which `share` of the sorted `values` lie, rounded to 0.1 ms. */
function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
  return Math.round(value * 10) / 10;
}

export async function measureCompletions(options: {
  url: string;
  request: CompletionRequest;
  connections: number;
  durationSeconds?: number;
  amount?: number;
  /**
   * Editor i sends its first request `i / connections × spreadMs` after the start: editors
   * typing independently do not send at the same instant. Started together, against a model
   * of fixed latency, they would stay in step, and each hop's time for a whole wave of
   * requests would count as every request's latency.
   */
  spreadMs?: number;
}): Promise<CompletionResult> {
  const { request, connections } = options;
  const pool = new Pool(new URL(options.url).origin, {
    connections,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const latencies: number[] = [];
  const firstBytes: number[] = [];
  let sent = 0;
  let answeredInTime = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const deadline =
    options.durationSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : started + options.durationSeconds * 1000;
  const amount = options.amount ?? Number.POSITIVE_INFINITY;
  const editor = async (_: unknown, index: number) => {
    if (options.spreadMs) await delay((index / connections) * options.spreadMs);
    while (sent < amount && performance.now() < deadline) {
      const n = sent;
      sent += 1;
      const sentAt = performance.now();
      try {
        const answer = await exchange(pool, {
          path: request.path,
          method: "POST",
          headers: { "content-type": "application/json", ...request.headers(n) },
          body: request.body,
        });
        if (answer.doneAt <= deadline) answeredInTime += 1;
        if (answer.status < 200 || answer.status > 299) non2xx += 1;
        else if (!request.complete(answer.body)) errors += 1;
        else {
          latencies.push(answer.doneAt - sentAt);
          firstBytes.push((answer.firstByteAt ?? answer.doneAt) - sentAt);
        }
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, editor));
  const elapsedMs = Math.min(performance.now(), deadline) - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  firstBytes.sort((a, b) => a - b);
  return {
    // Answers completed within the duration, per second of it (a request still in flight at
    // the end is waited for, for its status, but not counted in the rate).
    requestsPerSecond: (answeredInTime * 1000) / elapsedMs,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    firstByteP50: percentile(firstBytes, 0.5),
    firstByteP99: percentile(firstBytes, 0.99),
    total: sent,
    non2xx,
    errors,
  };
}
