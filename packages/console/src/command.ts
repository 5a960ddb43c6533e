import type { TokenDigester } from "@token-broker/auth";
import type { InstanceConfig } from "@token-broker/config";
import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { type ConsoleIo, UsageError } from "./console-io.ts";

export interface ConsoleContext<C extends InstanceConfig = InstanceConfig> {
  readonly config: C;
  readonly prisma: PrismaClient;
  readonly digest: TokenDigester;
  readonly secretBox: SecretBox;
  readonly io: ConsoleIo;
}

export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; description: string; required?: boolean }
>;
export type Values = Record<string, string | boolean | undefined>;

/** One console command; a service adds its own to the shared ones (see runConsole). */
export interface Command<C extends InstanceConfig = InstanceConfig> {
  readonly name: string;
  readonly summary: string;
  readonly arguments?: readonly string[];
  readonly options?: OptionSpec;
  /** Resolves with the exit code when the command decides it (a failed check); 0 otherwise. */
  run(context: ConsoleContext<C>, args: string[], values: Values): Promise<number | undefined>;
}

export function bool(name: string, value: string | boolean | undefined): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`--${name} must be true or false (got "${value}")`);
}

export function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export const CODE_SUGGESTIONS_FLAG = { type: "string", description: "true or false" } as const;
