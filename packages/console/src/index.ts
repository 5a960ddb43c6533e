export { bool, type Command, type ConsoleContext, text } from "./command.ts";
export { type ConsoleIo, processIo, UsageError } from "./console-io.ts";
export { runConsole } from "./run-console.ts";
