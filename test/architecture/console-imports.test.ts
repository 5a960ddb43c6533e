import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The server's pieces: the console reads configuration and opens storage without any. */
const SERVER_ONLY = ["fastify", "ioredis", "prom-client"];

/** Every package file the entry point loads, by package name (what its bundle would hold). */
async function packagesLoadedBy(entry: string): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    external: ["pg-native"],
    logLevel: "silent",
  });
  const names = Object.keys(metafile.inputs).flatMap((input) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(
      input.split("node_modules/.pnpm/").at(-1) ?? "",
    );
    return match?.[1] ? [match[1]] : [];
  });
  return new Set(names);
}

it.each(["apps/saas/src/console.ts", "apps/self-managed/src/console.ts"])(
  "%s loads no server piece (Fastify, Redis, metrics)",
  async (entry) => {
    const loaded = await packagesLoadedBy(entry);
    // The check looks at what it should: the console's own dependencies are there.
    expect(loaded).toContain("pg");
    expect(SERVER_ONLY.filter((name) => loaded.has(name))).toEqual([]);
  },
);
