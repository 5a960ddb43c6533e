import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP relay in front of PostgreSQL that can hold back what the server sends on one
 * connection: the next connection opened after `holdNext()` relays its startup, then keeps
 * the server's bytes from the client's first statement on, and hands them over in one write
 * when the server closes it. A statement's answer and a termination that came after it then
 * reach the client together, as they do when a backend is terminated just as it answered.
 */
export async function startHoldingProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let holdNext = false;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    const holding = holdNext;
    holdNext = false;
    let clientChunks = 0;
    const held: Buffer[] = [];
    client.on("data", (chunk: Buffer) => {
      clientChunks += 1;
      upstream.write(chunk);
    });
    // The first chunk is the startup message; what answers the ones after it is held.
    upstream.on("data", (chunk: Buffer) => {
      if (holding && clientChunks > 1) held.push(chunk);
      else client.write(chunk);
    });
    upstream.on("end", () => client.end(Buffer.concat(held)));
    client.on("end", () => upstream.end());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no proxy port");
  return {
    port: address.port,
    holdNext() {
      holdNext = true;
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
