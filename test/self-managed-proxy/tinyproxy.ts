import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@token-broker/testing";

export interface RunningProxy {
  readonly url: string;
  readonly port: number;
  /** Every line tinyproxy logged so far. */
  log(): string;
  /** The CONNECT requests it received, as `host:port`. */
  connects(): string[];
  stop(): Promise<void>;
}

/**
 * Debian's tinyproxy, a real forward proxy, in the foreground on a free port with a
 * generated configuration: every CONNECT port allowed (no ConnectPort line), only local
 * clients, and Basic authentication when credentials are given.
 */
export async function startTinyproxy(credentials?: {
  user: string;
  password: string;
}): Promise<RunningProxy> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "broker-tinyproxy-"));
  const config = path.join(dir, "tinyproxy.conf");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 30",
      "LogLevel Info",
      "MaxClients 50",
      "Allow 127.0.0.1",
      ...(credentials ? [`BasicAuth ${credentials.user} ${credentials.password}`] : []),
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("tinyproxy", ["-d", "-c", config], { stdio: "pipe" });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += String(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      if (output.includes("Accepting connections")) resolve();
    };
    child.stdout?.on("data", ready);
    child.stderr?.on("data", ready);
    child.once("error", reject);
    void exited.then(() => reject(new Error(`tinyproxy exited before listening:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => output,
    connects: () =>
      [...output.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map(
        (match) => match[1] as string,
      ),
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
