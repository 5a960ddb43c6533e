import type { Socket } from "node:net";
import { BrokerError, type ErrorCode, errorResponse } from "@token-broker/errors";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Node's parser errors that have their own status; anything else it refuses is a 400. */
const PARSER_ERRORS: Readonly<Record<string, ErrorCode>> = {
  ERR_HTTP_REQUEST_TIMEOUT: "request_timeout",
  HPE_HEADER_OVERFLOW: "header_too_large",
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a malformed request line or
 * header, headers over the size limit, a body that does not arrive in time). Fastify's own
 * handler logs the error with `rawPacket`, the request's raw bytes and so its credentials:
 * this one logs the parser's code only, and answers with GitLab's body.
 */
export function handleClientError(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const code = PARSER_ERRORS[error.code ?? ""] ?? "bad_request";
  this.log.debug({ code, parserCode: error.code }, "request refused by the HTTP parser");
  if (socket.writable) {
    const { status, body } = errorResponse(code, code);
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/**
 * What the router refuses before any route or hook runs (a path that does not decode, as
 * `%FF`): GitLab's 400 body instead of Fastify's, which quotes the path.
 */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const refusal = new BrokerError("bad_request", error.code);
  const { status, body, headers } = errorResponse(refusal.code, refusal.message);
  request.log.info({ code: refusal.code, detail: error.code }, "request refused");
  void reply.code(status).headers(headers).type("application/json").send(body);
}
