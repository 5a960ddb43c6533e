import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";

export type SchemaEngine = glue.SchemaEngine;

/** How to run a whole migration script on a connection of the target database. */
export type RunScript = (adapter: SqlDriverAdapter, script: string) => Promise<unknown>;

/** A database the schema engine can work on, and how to let it go afterwards. */
export interface MigrationTarget {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  readonly runScript: RunScript;
  /** Releases the connections the engine used (and with them its advisory lock). */
  release(): Promise<void>;
}

// The engine needs at least one schema file, even for commands that do not read it.
const DATASOURCE_ONLY = 'datasource db {\n  provider = "postgresql"\n}\n';

// Node's type definitions used here do not describe the WebAssembly API; this is the part used.
interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi };

let loading: Promise<typeof glue> | undefined;

/**
 * Prisma's schema engine compiled to WebAssembly: the CLI's binary engine cannot be
 * downloaded here. The package entry imports a `.wasm` file, which Node cannot load, so
 * the module is instantiated by hand against its JavaScript glue.
 */
function loadSchemaEngine(): Promise<typeof glue> {
  loading ??= (async () => {
    // The glue reports Rust panics through this global; without it a panic becomes a TypeError.
    const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
    registry.PRISMA_WASM_PANIC_REGISTRY ??= {
      message: "",
      set_message(this: { message: string }, message: string) {
        this.message = `RuntimeError: ${message}`;
      },
    };
    const require = createRequire(import.meta.url);
    const wasmPath = require
      .resolve("@prisma/schema-engine-wasm/schema_engine_bg")
      .replace(/schema_engine_bg\.js$/, "schema_engine_bg.wasm");
    const imports: Record<string, unknown> = { ...glue };
    // The engine arms timers it never clears (its lock timeout); unref them so a finished
    // migration does not keep the process alive for ten seconds.
    for (const name of Object.keys(imports).filter((key) => key.startsWith("__wbg_setTimeout_"))) {
      const setTimer = imports[name] as (...args: unknown[]) => { unref?: () => void } | undefined;
      imports[name] = (...args: unknown[]) => {
        const timer = setTimer(...args);
        timer?.unref?.();
        return timer;
      };
    }
    const { instance } = await wasm.instantiate(await readFile(wasmPath), {
      "./schema_engine_bg.js": imports,
    });
    const exports = instance.exports as { __wbindgen_start(): void };
    glue.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return glue;
  })();
  return loading;
}

/**
 * Both driver adapters run migration scripts badly: adapter-pg splits them on every `;`
 * (breaking `$$` bodies, not atomic) and the PGlite adapter does not await them (a failed
 * migration is recorded as applied). Each connection handed to the engine runs the whole
 * script in one call instead, which PostgreSQL executes as one implicit transaction.
 */
function runScriptsWhole(target: MigrationTarget): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  opened: SqlDriverAdapter[];
  scriptErrors: unknown[];
} {
  const opened: SqlDriverAdapter[] = [];
  // The engine reports a script's failure by an opaque id; keep the database's own error.
  const scriptErrors: unknown[] = [];
  const patch = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    adapter.executeScript = async (script) => {
      try {
        await target.runScript(adapter, script);
      } catch (error) {
        scriptErrors.push(error);
        throw error;
      }
    };
    opened.push(adapter);
    return adapter;
  };
  const { factory } = target;
  return {
    opened,
    scriptErrors,
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: async () => patch(await factory.connect()),
      connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
    },
  };
}

/** A failure of the engine, with the database's error when a migration script failed. */
export class SchemaEngineError extends Error {
  readonly scriptError: unknown;

  constructor(engineError: unknown, scriptError: unknown) {
    super(engineError instanceof Error ? engineError.message : String(engineError), {
      cause: engineError,
    });
    this.name = "SchemaEngineError";
    this.scriptError = scriptError;
  }
}

/** Runs `work` with an engine bound to `target`, then frees the engine and its connections. */
export async function withSchemaEngine<T>(
  target: MigrationTarget,
  work: (engine: SchemaEngine) => Promise<T>,
  schemaFiles: [string, string][] = [["schema.prisma", DATASOURCE_ONLY]],
): Promise<T> {
  const { SchemaEngine } = await loadSchemaEngine();
  const { factory, opened, scriptErrors } = runScriptsWhole(target);
  try {
    const engine = await SchemaEngine.new(
      { datamodels: schemaFiles },
      () => {},
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    throw new SchemaEngineError(error, scriptErrors.at(-1));
  } finally {
    for (const adapter of opened.splice(0)) await adapter.dispose();
    await target.release();
  }
}
