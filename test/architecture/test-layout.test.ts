import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every test file under `folder`, relative to the repository. */
function testsUnder(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".test.ts") && !file.split(path.sep).includes("node_modules"))
    .map((file) => path.join(folder, file));
}

function workspaces(): string[] {
  return ["apps", "packages"].flatMap((folder) =>
    readdirSync(path.join(root, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(folder, entry.name)),
  );
}

it("a package's or app's tests live in its test/ folder, none among its sources", () => {
  const amongSources = workspaces().flatMap((workspace) => testsUnder(path.join(workspace, "src")));
  expect(amongSources).toEqual([]);
  // The check looks where tests are: the packages' own folders hold some.
  expect(testsUnder("packages/db/test").length).toBeGreaterThan(0);
});
