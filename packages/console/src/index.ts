export { processIo } from "./console-io.ts";
export { runConsole } from "./run-console.ts";
