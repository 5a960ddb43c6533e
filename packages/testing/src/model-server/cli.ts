/**
 * The model stand-in as a process, for the container smoke test and `pnpm dev` without a
 * real model: `PORT=8000 tsx packages/testing/src/model-server/cli.ts`, then
 * `MODEL_ENDPOINT=http://127.0.0.1:8000 MODEL_NAME=stand-in`. HOST (default 127.0.0.1),
 * MODEL_STANDIN_COMPLETION (the text answered), MODEL_STANDIN_FIRST_CHUNK_DELAY_MS,
 * MODEL_STANDIN_CHUNKS, MODEL_STANDIN_CHUNK_INTERVAL_MS and MODEL_STANDIN_SPLIT_EVENTS (`false`:
 * each event in one write) set its options.
 */
import { startModelServer } from "./model-server.ts";

function number(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`${name} must be a non-negative integer (got "${raw}")\n`);
    process.exit(1);
  }
  return value;
}

const server = await startModelServer(
  {
    ...(process.env.MODEL_STANDIN_COMPLETION
      ? { completion: process.env.MODEL_STANDIN_COMPLETION }
      : {}),
    ...(number("MODEL_STANDIN_FIRST_CHUNK_DELAY_MS") !== undefined
      ? { firstChunkDelayMs: number("MODEL_STANDIN_FIRST_CHUNK_DELAY_MS") }
      : {}),
    ...(number("MODEL_STANDIN_CHUNKS") !== undefined
      ? { chunks: number("MODEL_STANDIN_CHUNKS") }
      : {}),
    ...(process.env.MODEL_STANDIN_SPLIT_EVENTS === "false" ? { splitEvents: false } : {}),
    ...(number("MODEL_STANDIN_CHUNK_INTERVAL_MS") !== undefined
      ? { chunkIntervalMs: number("MODEL_STANDIN_CHUNK_INTERVAL_MS") }
      : {}),
  },
  // Nothing reads the requests of a process: kept, they would grow its memory without end.
  { port: number("PORT") ?? 8000, host: process.env.HOST || "127.0.0.1", record: false },
);
process.stdout.write(`model stand-in listening at ${server.url}/v1/completions\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
