import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Manifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

function manifests(folder: string): Manifest[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map(
      (entry) =>
        JSON.parse(
          readFileSync(path.join(root, folder, entry.name, "package.json"), "utf8"),
        ) as Manifest,
    );
}

it("no package depends on an app: apps are built from packages, never the other way", () => {
  const apps = new Set(manifests("apps").map((app) => app.name));
  expect(apps.size).toBeGreaterThanOrEqual(2);
  const upward = manifests("packages").flatMap((pkg) =>
    Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
      .filter((name) => apps.has(name))
      .map((name) => `${pkg.name} → ${name}`),
  );
  expect(upward).toEqual([]);
});
