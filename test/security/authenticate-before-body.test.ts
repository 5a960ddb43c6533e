import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { useBothServices } from "../support/both-services.ts";

import { TOKENS_PATH, UNAUTHORIZED } from "../support/token-request.ts";

const TOO_LARGE = { message: "413 Request Entity Too Large" };
const FORBIDDEN = { message: "403 Forbidden" };
const SETTINGS = "/api/v4/application/settings";

async function send(
  service: { readonly url: string },
  method: string,
  path: string,
  options: { token?: string; contentType?: string; body?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["private-token"] = options.token;
  if (options.contentType !== undefined) headers["content-type"] = options.contentType;
  const response = await fetch(`${service.url}${path}`, { method, headers, body: options.body });
  return { status: response.status, body: await response.json() };
}

/**
 * Sends a request's headers and only the first part of the body its Content-Length announces,
 * and resolves with the raw response. It can only arrive if the server answers without
 * reading the body: the rest is never sent.
 */
function answerWithoutTheWholeBody(
  service: { readonly url: string },
  method: string,
  path: string,
): Promise<string> {
  const { hostname, port } = new URL(service.url);
  const part = '{"instance_level_code_suggestions_enabled":';
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [
          `${method} ${path} HTTP/1.1`,
          `Host: ${hostname}:${port}`,
          "Authorization: Bearer glpat-unknownunknown0000",
          "Content-Type: application/json",
          "Content-Length: 4096",
          "",
          part,
        ].join("\r\n"),
      );
    });
    let received = "";
    socket.on("data", (chunk) => {
      received += String(chunk);
      const [head, body = ""] = received.split("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(head ?? "")?.[1];
      if (length !== undefined && Buffer.byteLength(body) >= Number(length)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on("error", reject);
  });
}

const { each } = useBothServices();

describe.each(each)("%s authenticates before it reads a body", (_name, service) => {
  it("answers 401, not 400, to a request without a valid token and with a bad body", async () => {
    for (const token of [undefined, "glpat-unknownunknown0000", "nope"]) {
      for (const [contentType, body] of [
        ["application/json", "{not json"],
        ["application/json", '{"instance_level_code_suggestions_enabled":"maybe"}'],
        ["application/x-www-form-urlencoded", "ai_access_token[]=x&ai_access_token[]=y"],
        ["text/html", "<p>an unsupported media type</p>"],
      ]) {
        expect(await send(service(), "PUT", SETTINGS, { token, contentType, body })).toEqual({
          status: 401,
          body: UNAUTHORIZED,
        });
      }
    }
  });

  it("answers 403, not 400, to a non-administrator with a bad body on an admin route", async () => {
    const { token } = await service().fixtures.userWithToken();
    expect(
      await send(service(), "PUT", SETTINGS, {
        token,
        contentType: "application/json",
        body: "{not json",
      }),
    ).toEqual({ status: 403, body: FORBIDDEN });
  });

  it("answers 401 without waiting for the body of an unauthenticated request", async () => {
    const response = await answerWithoutTheWholeBody(service(), "PUT", SETTINGS);
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(response.split("\r\n\r\n")[1] ?? "")).toEqual(UNAUTHORIZED);
  }, 10_000);

  it("and so does the tokens endpoint", async () => {
    const response = await answerWithoutTheWholeBody(service(), "POST", TOKENS_PATH);
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
  }, 10_000);

  it("refuses a body over 64 KB with 413, once the request is authenticated", async () => {
    const { token } = await service().fixtures.userWithToken({ admin: true });
    const body = JSON.stringify({ ai_access_token: "x".repeat(64 * 1024) });
    const contentType = "application/json";
    expect(await send(service(), "PUT", SETTINGS, { token, contentType, body })).toEqual({
      status: 413,
      body: TOO_LARGE,
    });
    expect(await send(service(), "PUT", SETTINGS, { contentType, body })).toEqual({
      status: 401,
      body: UNAUTHORIZED,
    });
    const justUnder = JSON.stringify({ instance_level_code_suggestions_enabled: "x" }).padEnd(
      64 * 1024,
      " ",
    );
    expect(await send(service(), "PUT", SETTINGS, { token, contentType, body: justUnder })).toEqual(
      { status: 400, body: { error: "instance_level_code_suggestions_enabled is invalid" } },
    );
  });
});
