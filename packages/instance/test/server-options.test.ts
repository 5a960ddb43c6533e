import { once } from "node:events";
import net from "node:net";
import Fastify from "fastify";
import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/logger.ts";
import { serverOptions } from "../src/server-options.ts";

describe("the server options", () => {
  it("at close, serve a request arriving on a busy keep-alive connection (with Connection: close) instead of 503", async () => {
    const app = Fastify(
      serverOptions(createLogger({ service: "saas", level: "silent", pretty: false })),
    );
    let releaseSlow = () => {};
    const slowReleased = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    let slowArrived = () => {};
    const slowUnderWay = new Promise<void>((resolve) => {
      slowArrived = resolve;
    });
    app.get("/slow", async () => {
      slowArrived();
      await slowReleased;
      return { answer: "slow" };
    });
    app.get("/next", async () => ({ answer: "next" }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as net.AddressInfo;

    const socket = net.connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk;
    });
    socket.write("GET /slow HTTP/1.1\r\nHost: broker\r\n\r\n");
    await slowUnderWay;
    const closed = app.close();
    await vi.waitFor(() => expect(app.server.listening).toBe(false));
    // The connection is busy, so closing the server left it open: a client may send on it.
    socket.write("GET /next HTTP/1.1\r\nHost: broker\r\n\r\n");
    releaseSlow();
    await once(socket, "close");
    await closed;

    const [, next] = received.split('{"answer":"slow"}');
    expect(next).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(next).toContain("Connection: close\r\n");
    expect(next).toContain('{"answer":"next"}');
  });
});
