/** The health check's report (docs/operations.md, Health check). */
export interface Probe {
  readonly name:
    | "instance_settings"
    | "saas_reachable"
    | "service_token"
    | "token_issuance"
    | "instance_token"
    | "ai_gateway_reachable"
    | "code_completion";
  readonly success: boolean;
  /** What was found and, when something fails, what the administrator should do. */
  readonly message: string;
}

export interface HealthReport {
  readonly success: boolean;
  readonly probes: Probe[];
}

export function report(probes: Probe[]): HealthReport {
  return { success: probes.every((probe) => probe.success), probes };
}

/** The report as a console prints it without --json: one line per probe. */
export function formatReport({ success, probes }: HealthReport): string {
  const lines = probes.map(
    (probe) => `${probe.success ? "ok    " : "FAILED"} ${probe.name}: ${probe.message}`,
  );
  lines.push(
    success
      ? "Code Suggestions can reach SaaS and the AI gateway."
      : "Code Suggestions is not working.",
  );
  return lines.join("\n");
}
