/** Where the console writes, and what it reads for secrets given on standard input. */
export interface ConsoleIo {
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function processIo(): ConsoleIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString("utf8").trim();
    },
  };
}
