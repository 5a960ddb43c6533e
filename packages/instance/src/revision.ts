import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The production bundle's build (scripts/build.ts) defines this global as the revision it
 * was built from; without a bundle (development, tests) it does not exist.
 */
declare const __SOURCE_REVISION__: string | undefined;
export const SOURCE_REVISION_GLOBAL = "__SOURCE_REVISION__";

/**
 * The git short commit of the sources in `root`, or, where there is no git or no repository
 * (a container build, a source archive), the version in `root`'s package.json.
 */
export function sourceRevision(root: string): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5_000,
    }).trim();
    if (/^[0-9a-f]{7,40}$/.test(commit)) return commit;
  } catch {
    // No git, or not a repository: the package version names the release instead.
  }
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    version?: unknown;
  };
  return typeof version === "string" ? version : "unknown";
}

/** The revision this process runs: built into the bundle, else read from the sources. */
export function runningRevision(): string {
  if (typeof __SOURCE_REVISION__ === "string") return __SOURCE_REVISION__;
  return sourceRevision(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../.."));
}
