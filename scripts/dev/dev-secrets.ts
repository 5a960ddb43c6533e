import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Development-only credentials, kept next to the embedded databases so that a restart
 * prints the same working command. Never used outside `pnpm dev`.
 */
export interface DevSecrets {
  saasRootToken: string;
  selfManagedRootToken: string;
  serviceToken?: string;
  developerToken?: string;
}

function newToken(): string {
  return `glpat-${randomBytes(15).toString("base64url")}`;
}

export async function loadDevSecrets(
  dataDir: string,
): Promise<{ secrets: DevSecrets; save(): Promise<void> }> {
  const file = path.join(dataDir, "dev-secrets.json");
  const stored = await readFile(file, "utf8").then(
    (text): Partial<DevSecrets> => JSON.parse(text),
    (): Partial<DevSecrets> => ({}),
  );
  const secrets: DevSecrets = {
    ...stored,
    saasRootToken: stored.saasRootToken ?? newToken(),
    selfManagedRootToken: stored.selfManagedRootToken ?? newToken(),
  };
  const save = async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  };
  await save();
  return { secrets, save };
}
