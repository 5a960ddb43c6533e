/**
 * `pnpm dev`: both instances on their embedded databases and the AI gateway trusting the
 * local SaaS, wired together and set up for the demo through the administration API; then
 * the curl command that gets a token through self-managed, and the commands that get a
 * completion from the gateway (MODEL_ENDPOINT, when set, is its model server), and how to point
 * an editor at self-managed with a completion through it. Logs of all
 * three in one terminal, prefixed. Ctrl-C stops them all.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Service, ServiceProcess } from "@token-broker/service-runner";
import { setUpFlow } from "@token-broker/service-runner/setup";
import { loadDevSecrets } from "./dev-secrets.ts";
import { editorDemoLines } from "./editor-demo.ts";
import { gatewayDemoLines } from "./gateway-demo.ts";
import { startDevService } from "./services.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tty = process.stdout.isTTY === true;
const saasPort = process.env.SAAS_PORT ?? "3001";
const selfManagedPort = process.env.SELF_MANAGED_PORT ?? "3000";
const gatewayPort = process.env.AI_GATEWAY_PORT ?? "5052";
const saasUrl = `http://localhost:${saasPort}`;
const selfManagedUrl = `http://localhost:${selfManagedPort}`;
const gatewayUrl = `http://localhost:${gatewayPort}`;
// Empty counts as unset, as the services read their variables.
const modelEndpoint = process.env.MODEL_ENDPOINT?.trim() || undefined;

// Where the embedded databases and the dev secrets live (tests point it elsewhere).
const dataDir = path.resolve(process.env.DEV_DATA_DIR ?? path.join(root, ".data"));
const { secrets, save } = await loadDevSecrets(dataDir);

const saas = startDevService("saas", tty, {
  PORT: saasPort,
  DATA_DIR: path.join(dataDir, "saas"),
  INITIAL_ROOT_TOKEN: secrets.saasRootToken,
  AI_GATEWAY_URL: gatewayUrl,
});
const selfManaged = startDevService("self-managed", tty, {
  PORT: selfManagedPort,
  DATA_DIR: path.join(dataDir, "self-managed"),
  SAAS_URL: process.env.SAAS_URL ?? saasUrl,
  INITIAL_ROOT_TOKEN: secrets.selfManagedRootToken,
  AI_GATEWAY_URL: gatewayUrl,
});
// Not in production mode: the gateway generates its signing key into its DATA_DIR (dev only).
// MODEL_* come from this terminal's environment.
const gateway = startDevService("ai-gateway", tty, {
  PORT: gatewayPort,
  DATA_DIR: path.join(dataDir, "ai-gateway"),
  AI_GATEWAY_TRUSTED_ISSUERS: process.env.AI_GATEWAY_TRUSTED_ISSUERS ?? saasUrl,
});
const children = new Map<Service, ServiceProcess>([
  ["saas", saas],
  ["self-managed", selfManaged],
  ["ai-gateway", gateway],
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
        `[dev] ${service} exited (${signal ?? `code ${code}`}); stopping the other services\n`,
      );
      process.exitCode = code || 1;
      stopAll("SIGTERM");
    }
  });
}

try {
  await Promise.all([
    saas.ready(saasUrl),
    selfManaged.ready(selfManagedUrl),
    gateway.ready(gatewayUrl),
  ]);
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
  const issued = check.status === 201;
  const { access_token: accessToken = "" } = issued
    ? ((await check.json()) as { access_token?: string })
    : {};
  const gatewayLines = await gatewayDemoLines(
    {
      gatewayUrl,
      saasUrl,
      selfManagedUrl,
      developerToken: developerToken.token,
      modelEndpoint,
      modelName: process.env.MODEL_NAME,
    },
    accessToken,
  );
  process.stdout.write(
    [
      "",
      `[dev] All three services are up: self-managed ${selfManagedUrl}, SaaS ${saasUrl}, AI gateway ${gatewayUrl} (API docs at /-/docs).`,
      `[dev] Demo set up through the API (checked: ${issued ? "a token was issued" : `HTTP ${check.status}`}).`,
      "[dev] Get a SaaS-signed code-suggestions token through self-managed:",
      "",
      `  ${command}`,
      "",
      "[dev] Check the self-managed instance's connection to SaaS: pnpm console:self-managed health-check",
      ...gatewayLines,
      ...editorDemoLines(selfManagedUrl, developerToken.token),
      `[dev] Administrators: root, tokens in ${path.relative(process.cwd(), path.join(dataDir, "dev-secrets.json"))}. Ctrl-C stops all three services.`,
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
