import { connect } from "node:net";

export interface RawAnswer {
  /** The status of the first response, or undefined when the server closed without one. */
  readonly status: number | undefined;
  readonly body: string;
}

/**
 * Writes bytes to the service as they are, with no client in between to fix them, and
 * resolves with what came back once the server has answered one response in full or closed
 * the connection.
 */
export function rawExchange(baseUrl: string, bytes: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = () => {
      socket.destroy();
      const text = received.toString("latin1");
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), body });
    };
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString("latin1");
      const separator = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text.slice(0, separator))?.[1];
      if (separator !== -1 && length !== undefined) {
        if (received.length - separator - 4 >= Number(length)) finish();
      }
    });
    socket.on("close", finish);
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") finish();
      else reject(error);
    });
  });
}

/** A request's head, CRLF-separated, with the blank line that ends it. */
export function head(requestLine: string, headers: readonly string[]): string {
  return `${[requestLine, ...headers].join("\r\n")}\r\n\r\n`;
}
