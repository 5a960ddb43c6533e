import { parseArgs } from "node:util";
import { createTokenDigester } from "@token-broker/auth";
import {
  ConfigurationError,
  type Environment,
  ensureInstanceRows,
  type InstanceConfig,
  openStorage,
} from "@token-broker/config";
import { BrokerError } from "@token-broker/errors";
import { createSecretBox } from "@token-broker/secrets";
import type { Command } from "./command.ts";
import { SHARED_COMMANDS } from "./commands/index.ts";
import { type ConsoleIo, UsageError } from "./console-io.ts";

export interface ConsoleOptions<C extends InstanceConfig> {
  /** The service's own configuration reader: the console uses the service's database and keys. */
  readonly readConfig: (env: Environment) => C;
  /** The service's own commands, offered after the shared ones. */
  readonly commands?: readonly Command<C>[];
  readonly argv: readonly string[];
  readonly env: Environment;
  readonly io: ConsoleIo;
  /** How the console is invoked, for the help text. */
  readonly invocation: string;
}

function usage(command: Command<never>, invocation: string): string {
  const args = (command.arguments ?? []).map((name) => ` <${name}>`).join("");
  const lines = [
    `usage: ${invocation} ${command.name}${args}${command.options ? " [options]" : ""}`,
    "",
    command.summary,
  ];
  const options = Object.entries(command.options ?? {}).map(([name, option]) => ({
    flag: `  --${name}${option.type === "string" ? " <value>" : ""}`,
    description: `${option.description}${option.required ? " (required)" : ""}`,
  }));
  const width = Math.max(0, ...options.map(({ flag }) => flag.length)) + 3;
  for (const { flag, description } of options) lines.push(flag.padEnd(width) + description);
  return lines.join("\n");
}

function overview(invocation: string, commands: readonly Command<never>[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 4;
  return [
    `usage: ${invocation} <command> [arguments] [options]`,
    "",
    "Works directly on this service's database (DATABASE_URL, or the embedded database in DATA_DIR).",
    "",
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    `${invocation} <command> --help shows a command's options.`,
  ].join("\n");
}

/** The commands of one resource ("tokens" → "tokens create", "tokens revoke"). */
function commandsOf<C extends InstanceConfig>(
  commands: readonly Command<C>[],
  resource: string | undefined,
): Command<C>[] {
  return commands.filter((command) => command.name.split(" ")[0] === resource);
}

function resolveCommand<C extends InstanceConfig>(
  commands: readonly Command<C>[],
  argv: readonly string[],
): { command: Command<C>; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(" ");
    const command = commands.find((candidate) => candidate.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

/**
 * Every option is long (`--name`), so any other word is an argument, even one that starts
 * with "-" (a signing key's kid may): they go after "--", where parseArgs reads no options.
 */
function separateArguments(command: Command<never>, rest: readonly string[]): string[] {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < rest.length; index += 1) {
    const word = rest[index] ?? "";
    if (word === "--") {
      positionals.push(...rest.slice(index + 1));
      break;
    }
    if (!word.startsWith("--")) {
      positionals.push(word);
      continue;
    }
    const name = word.slice(2).split("=")[0] ?? "";
    const takesValue = command.options?.[name]?.type === "string" && !word.includes("=");
    if (takesValue && index + 1 < rest.length) {
      // One word, so that a value starting with "-" is not read as an option.
      index += 1;
      options.push(`${word}=${rest[index] ?? ""}`);
    } else {
      options.push(word);
    }
  }
  return [...options, "--", ...positionals];
}

function parse(command: Command<never>, rest: string[]) {
  const options = Object.fromEntries(
    Object.entries(command.options ?? {}).map(([name, { type }]) => [name, { type }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: separateArguments(command, rest),
      options: { ...options, help: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true as const };
  const expected = command.arguments ?? [];
  if (positionals.length !== expected.length) {
    throw new UsageError(
      `expected ${expected.map((name) => `<${name}>`).join(" ") || "no arguments"}`,
    );
  }
  for (const [name, option] of Object.entries(command.options ?? {})) {
    if (option.required && values[name] === undefined)
      throw new UsageError(`--${name} is required`);
  }
  return {
    help: false as const,
    values: values as Record<string, string | boolean | undefined>,
    positionals,
  };
}

/** The console: GitLab's `gitlab-rails console` steps, scriptable. Returns the exit code. */
export async function runConsole<C extends InstanceConfig>(
  options: ConsoleOptions<C>,
): Promise<number> {
  const { argv, io, invocation } = options;
  const commands = [...(SHARED_COMMANDS as readonly Command<C>[]), ...(options.commands ?? [])];
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "help") {
    io.out(overview(invocation, commands));
    return argv.length === 0 ? 1 : 0;
  }
  const resolved = resolveCommand(commands, argv);
  if (resolved === undefined) {
    const family = commandsOf(commands, argv[0]);
    if (family.length > 0 && (argv[1] === undefined || argv[1] === "--help")) {
      io.out(overview(invocation, family));
      return argv[1] === "--help" ? 0 : 1;
    }
    io.err(`unknown command "${argv.slice(0, 2).join(" ")}"\n\n${overview(invocation, commands)}`);
    return 1;
  }
  const { command, rest } = resolved;
  try {
    const parsed = parse(command, rest);
    if (parsed.help) {
      io.out(usage(command, invocation));
      return 0;
    }
    const config = options.readConfig(options.env);
    const { database, keyBase } = await openStorage(config, { maxConnections: 2 });
    try {
      await ensureInstanceRows(database.prisma);
      const exitCode = await command.run(
        {
          config,
          prisma: database.prisma,
          digest: createTokenDigester(keyBase),
          secretBox: createSecretBox(keyBase),
          io,
        },
        parsed.positionals,
        parsed.values,
      );
      return exitCode ?? 0;
    } finally {
      await database.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${command.name}: ${error.message}\n\n${usage(command, invocation)}`);
    } else if (error instanceof BrokerError || error instanceof ConfigurationError) {
      io.err(`${command.name}: ${error.message}`);
    } else {
      io.err(`${command.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
}
