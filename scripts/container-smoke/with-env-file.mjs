/**
 * Container smoke test: runs a command with the variables of a .env file, as docker compose
 * would read them (Node's parser: double-quoted values with \n, as scripts/generate-env.mjs
 * writes them). Variables already set in this environment win, as with docker compose;
 * podman-compose 1.0.3 has no --env-file, and reads only the .env next to the compose file.
 *
 *   node with-env-file.mjs <file> <command> [arguments…]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";

const [file, command, ...args] = process.argv.slice(2);
if (!file || !command) {
  process.stderr.write("usage: node with-env-file.mjs <file> <command> [arguments…]\n");
  process.exit(2);
}
const env = { ...parseEnv(readFileSync(file, "utf8")), ...process.env };
const run = spawnSync(command, args, { stdio: "inherit", env });
if (run.error) throw run.error;
process.exitCode = run.status ?? 1;
