import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const LOCK_FILE = "broker.pid";
// Directories this process holds: a pid file naming this process is otherwise ambiguous
// (a container's PID 1 finds the file its previous run left with the same pid).
const heldHere = new Set<string>();

export class DataDirectoryInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid}. ` +
        "Only one process may open it at a time: stop that process, or use PostgreSQL (DATABASE_URL).",
    );
    this.name = "DataDirectoryInUseError";
  }
}

/**
 * The embedded database (PGlite) must be opened by one process at a time, or its files are
 * corrupted. A pid file guards the directory; a file left by a dead process is taken over.
 */
export async function lockDataDirectory(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = path.resolve(dataDir, LOCK_FILE);
  if (heldHere.has(lockPath)) throw new DataDirectoryInUseError(dataDir, process.pid);
  for (;;) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: "wx" });
      heldHere.add(lockPath);
      return async () => {
        heldHere.delete(lockPath);
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new DataDirectoryInUseError(dataDir, holder);
    }
    await rm(lockPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
