/**
 * `pnpm build`: one production bundle per service, `apps/<service>/dist/server.mjs` (and
 * `console.mjs`): our TypeScript and most dependencies in one file, so that a service loads
 * one module instead of hundreds (about 40 MB less resident memory, a faster start) and
 * runs on any supported Node.js without a TypeScript loader. Packages that ship WebAssembly
 * or load files next to themselves stay outside and are resolved from the app's node_modules;
 * the bundle finds prisma/ (schema and migrations) in the nearest parent folder.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SOURCE_REVISION_GLOBAL, sourceRevision } from "@token-broker/instance/revision";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Needed at run time next to the bundle: direct dependencies of each app for that reason. */
export const RUNTIME_EXTERNALS = [
  "@prisma/client",
  "@prisma/schema-engine-wasm",
  "@electric-sql/pglite",
  "pglite-prisma-adapter",
  "@fastify/swagger-ui",
  "pino",
  "pino-pretty",
];

// What `GET /api/v4/version` answers as `revision`: read here, once, into the bundle.
const revision = sourceRevision(root);

const services =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["saas", "self-managed"];
for (const service of services) {
  const app = path.join(root, "apps", service);
  await build({
    // The AI gateway has no console.
    entryPoints: ["server.ts", "console.ts"]
      .map((entry) => path.join(app, "src", entry))
      .filter((entry) => existsSync(entry)),
    outdir: path.join(app, "dist"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    external: [...RUNTIME_EXTERNALS, "pg-native"],
    // Bundled CommonJS code calls require(); give it one.
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
    define: { [SOURCE_REVISION_GLOBAL]: JSON.stringify(revision) },
    keepNames: true,
    // Escapes non-ASCII characters: V8 then keeps the module's source as one-byte text
    // (half the memory of two-byte).
    charset: "ascii",
    legalComments: "none",
    logLevel: "warning",
  });
  process.stdout.write(`built apps/${service}/dist\n`);
}
