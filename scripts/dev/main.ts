/**
 * `pnpm dev`: both services on their embedded databases, wired together and set up for the
 * demo through the administration API; then the curl command that gets a token through
 * self-managed. Logs of both services in one terminal, prefixed. Ctrl-C stops both.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Service, ServiceProcess } from "@token-broker/service-runner";
import { setUpFlow } from "@token-broker/service-runner/setup";
import { loadDevSecrets } from "./dev-secrets.ts";
import { startDevService } from "./services.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tty = process.stdout.isTTY === true;
const saasPort = process.env.SAAS_PORT ?? "3001";
const selfManagedPort = process.env.SELF_MANAGED_PORT ?? "3000";
const saasUrl = `http://localhost:${saasPort}`;
const selfManagedUrl = `http://localhost:${selfManagedPort}`;

// Where the embedded databases and the dev secrets live (tests point it elsewhere).
const dataDir = path.resolve(process.env.DEV_DATA_DIR ?? path.join(root, ".data"));
const { secrets, save } = await loadDevSecrets(dataDir);

const saas = startDevService("saas", tty, {
  PORT: saasPort,
  DATA_DIR: path.join(dataDir, "saas"),
  INITIAL_ROOT_TOKEN: secrets.saasRootToken,
});
const selfManaged = startDevService("self-managed", tty, {
  PORT: selfManagedPort,
  DATA_DIR: path.join(dataDir, "self-managed"),
  SAAS_URL: process.env.SAAS_URL ?? saasUrl,
  INITIAL_ROOT_TOKEN: secrets.selfManagedRootToken,
});
const children = new Map<Service, ServiceProcess>([
  ["saas", saas],
  ["self-managed", selfManaged],
]);

let stopping = false;
function stopAll(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  for (const { child } of children.values()) if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", () => stopAll("SIGINT"));
process.on("SIGTERM", () => stopAll("SIGTERM"));
for (const [service, { child }] of children) {
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stdout.write(
        `[dev] ${service} exited (${signal ?? `code ${code}`}); stopping the other service\n`,
      );
      process.exitCode = code || 1;
      stopAll("SIGTERM");
    }
  });
}

try {
  await Promise.all([saas.ready(saasUrl), selfManaged.ready(selfManagedUrl)]);
  const { serviceToken, developerToken } = await setUpFlow({ saasUrl, selfManagedUrl, ...secrets });
  Object.assign(secrets, {
    serviceToken: serviceToken.token,
    developerToken: developerToken.token,
  });
  await save();
  const command = `curl --request POST "${selfManagedUrl}/api/v4/code_suggestions/tokens" --header "Authorization: Bearer ${secrets.developerToken}"`;
  const check = await fetch(`${selfManagedUrl}/api/v4/code_suggestions/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${secrets.developerToken}` },
  });
  process.stdout.write(
    [
      "",
      `[dev] Both instances are up: self-managed ${selfManagedUrl}, SaaS ${saasUrl} (API docs at /-/docs).`,
      `[dev] Demo set up through the API (checked: ${check.status === 201 ? "a token was issued" : `HTTP ${check.status}`}).`,
      "[dev] Get a SaaS-signed code-suggestions token through self-managed:",
      "",
      `  ${command}`,
      "",
      "[dev] Check the self-managed instance's connection to SaaS: pnpm console:self-managed health-check",
      `[dev] Administrators: root, tokens in ${path.relative(process.cwd(), path.join(dataDir, "dev-secrets.json"))}. Ctrl-C stops both services.`,
      "",
    ].join("\n"),
  );
} catch (error) {
  if (!stopping) {
    process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    stopAll("SIGTERM");
  }
}
