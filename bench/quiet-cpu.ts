import { readFile } from "node:fs/promises";

async function cpuTimes(): Promise<{ idle: number; total: number }> {
  const [line] = (await readFile("/proc/stat", "utf8")).split("\n");
  const values = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { idle, total: values.reduce((sum, value) => sum + value, 0) };
}

/**
 * Waits until the machine is idle (background work such as autovacuum or a service's start
 * would otherwise be measured with the load), at most `timeoutMs`. Linux only; elsewhere it
 * returns at once.
 */
export async function waitForQuietCpu(
  // Bounded so that a full run stays within minutes on a machine other work keeps busy.
  options = { idleShare: 0.85, timeoutMs: 10_000 },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const before = await cpuTimes().catch(() => undefined);
    if (before === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await cpuTimes();
    const total = after.total - before.total;
    if (total > 0 && (after.idle - before.idle) / total >= options.idleShare) return;
  }
}
