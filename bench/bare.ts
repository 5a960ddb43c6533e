import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ScriptServer, startScriptServer } from "./script-server.ts";

const server = path.join(path.dirname(fileURLToPath(import.meta.url)), "bare-server.ts");

export type BareServer = ScriptServer;

/**
 * Starts H's server (bench/bare-server.ts) in a process of its own, answering `body` with
 * status 201 and `headers`, and resolves with its URL once it listens.
 */
export async function startBareServer(options: {
  body: unknown;
  headers: Record<string, string>;
  /** Relay to this service's token route instead of answering (see bare-server.ts). */
  upstream?: string;
}): Promise<BareServer> {
  return startScriptServer({
    name: options.upstream === undefined ? "bare" : "bare-relay",
    script: server,
    env: {
      BARE_BODY: JSON.stringify(options.body),
      BARE_HEADERS: JSON.stringify(options.headers),
      ...(options.upstream === undefined ? {} : { BARE_UPSTREAM: options.upstream }),
    },
    // It prints its address, and nothing else.
    urlOf: (line) => line,
  });
}
