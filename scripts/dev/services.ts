import { type Service, type ServiceProcess, spawnService } from "@token-broker/service-runner";

const COLORS: Record<Service, string> = {
  saas: "\x1b[35m",
  "self-managed": "\x1b[36m",
  "ai-gateway": "\x1b[33m",
};

function prefix(service: Service, tty: boolean): string {
  const label = `[${service}]`.padEnd(15);
  return tty ? `${COLORS[service]}${label}\x1b[0m` : label;
}

/**
 * One service from its sources, with this terminal's environment, its output prefixed by
 * its name: pretty logs on a terminal, JSON otherwise.
 */
export function startDevService(
  service: Service,
  tty: boolean,
  env: NodeJS.ProcessEnv,
): ServiceProcess {
  return spawnService(
    service,
    {
      ...process.env,
      ...env,
      LOG_FORMAT: process.env.LOG_FORMAT ?? (tty ? "pretty" : "json"),
      ...(tty ? { FORCE_COLOR: "1" } : {}),
    },
    { output: { prefix: prefix(service, tty) }, detached: true },
  );
}
