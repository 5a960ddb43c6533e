import { createServer } from "node:net";

/**
 * A TCP port free on the loopback address now, chosen by the system: two benchmarks (or a
 * benchmark and the tests) running at once then never ask for the same port.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port assigned");
  return address.port;
}
