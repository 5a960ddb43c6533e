import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@token-broker/testing";
import { describe, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import { requestToken, TOKENS_PATH } from "../support/token-request.ts";
import { configuredSelfManaged } from "./instances.ts";

describe("when SaaS fails", () => {
  /** A token request of a self-managed user, through an instance pointed at `saasUrl`. */
  async function requestThroughSelfManaged(saasUrl: string, env: Record<string, string> = {}) {
    const selfManaged = await configuredSelfManaged(saasUrl, "glpat-serviceaccount00000", env);
    try {
      const { token } = await selfManaged.fixtures.userWithToken();
      const started = performance.now();
      const response = await requestToken(selfManaged.url, token);
      return { ...response, elapsed: performance.now() - started };
    } finally {
      await selfManaged.close();
    }
  }

  it("answers 502 without details when SaaS refuses connections", async () => {
    const closedPort = await freePort();
    const response = await requestThroughSelfManaged(`http://127.0.0.1:${closedPort}`);
    expect([response.status, response.body]).toEqual([502, { message: "502 Bad Gateway" }]);
    expect(JSON.stringify(response.body)).not.toContain(String(closedPort));
  });

  it("answers 502 when SaaS's name does not resolve", async () => {
    const response = await requestThroughSelfManaged("http://saas.invalid");
    expect([response.status, response.body]).toEqual([502, { message: "502 Bad Gateway" }]);
  });

  it("answers 502 when SaaS resets the connection", async () => {
    const sockets = new Set<Socket>();
    const resetting = createTcpServer((socket) => {
      sockets.add(socket);
      socket.once("data", () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => resetting.listen(0, "127.0.0.1", resolve));
    const { port } = resetting.address() as { port: number };
    try {
      const response = await requestThroughSelfManaged(`http://127.0.0.1:${port}`);
      expect([response.status, response.body]).toEqual([502, { message: "502 Bad Gateway" }]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => resetting.close(resolve));
    }
  });

  it("answers 504 within the timeout (plus a small margin) when SaaS does not answer", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const saas = await startSaas({
      onRequest: async (request) => {
        if (request.url.startsWith(TOKENS_PATH)) await held;
      },
    });
    try {
      const response = await requestThroughSelfManaged(saas.url, { SAAS_TIMEOUT_MS: "500" });
      expect([response.status, response.body]).toEqual([504, { message: "504 Gateway Timeout" }]);
      expect(response.elapsed).toBeGreaterThanOrEqual(450);
      expect(response.elapsed).toBeLessThan(500 + 1500);
    } finally {
      release();
      await saas.close();
    }
  });

  it("refuses a SaaS whose TLS certificate it cannot verify, before sending anything", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "broker-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    let requests = 0;
    const impostor = createHttpsServer(
      {
        key: readFileSync(path.join(dir, "key.pem")),
        cert: readFileSync(path.join(dir, "cert.pem")),
      },
      (_request, response) => {
        requests += 1;
        response.writeHead(201, { "content-type": "application/json" }).end("{}");
      },
    );
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", resolve));
    const { port } = impostor.address() as { port: number };
    try {
      const response = await requestThroughSelfManaged(`https://127.0.0.1:${port}`);
      expect([response.status, response.body]).toEqual([502, { message: "502 Bad Gateway" }]);
      expect(requests).toBe(0);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
