export { bool, type Command, type ConsoleContext, text } from "./command.ts";
export { processIo, UsageError } from "./console-io.ts";
export { runConsole } from "./run-console.ts";
