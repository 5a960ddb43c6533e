/**
 * Where a service's CPU time went, from the V8 profiles `--cpu-prof` writes when it exits:
 * the functions with the most self time, and with the most total time (themselves and what
 * they call), as shares of the time the process was not idle.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = "(idle)";

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === "") return functionName || "(anonymous)";
  const file = url.includes("/node_modules/")
    ? url.slice(url.lastIndexOf("/node_modules/") + 14)
    : path.basename(url);
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
}

export function summarizeProfile(profile: CpuProfile, top: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (node === undefined || node.callFrame.functionName === IDLE) return;
    busy += delta;
    const own = label(node);
    self.set(own, (self.get(own) ?? 0) + delta);
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined) break;
      const name = label(frame);
      if (seen.has(name) || name === "(root)") continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + delta);
    }
  });
  const rank = (times: Map<string, number>) =>
    [...times.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `  ${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${name}`);
  return [
    `busy ${(busy / 1e6).toFixed(1)} s`,
    "self time:",
    ...rank(self),
    "total time (self and callees):",
    ...rank(total),
  ];
}

/**
 * The summary of the busiest profile in `dir`: the server's (its short-lived migration
 * process, started with the same options, writes one too).
 */
export async function summarizeProfiles(dir: string, top = 25): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".cpuprofile"));
  const sized = await Promise.all(
    files.map(async (file) => ({ file, size: (await stat(path.join(dir, file))).size })),
  );
  const busiest = sized.sort((a, b) => b.size - a.size)[0];
  if (busiest === undefined) return [];
  const file = path.join(dir, busiest.file);
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  return [file, ...summarizeProfile(profile, top)];
}
