import { BrokerError, errorResponse } from "@token-broker/errors";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { INVALID_JSON, validationIssues } from "./validation-issues.ts";

/** Fastify's JSON parser refusals: the body is not JSON (pydantic's `json_invalid`). */
const JSON_ERRORS = new Set(["FST_ERR_CTP_EMPTY_JSON_BODY", "FST_ERR_CTP_INVALID_JSON_BODY"]);

/**
 * The catalogue's error for what the framework threw. Its own message stays out of the
 * answer and the log: parser messages can quote the request body, here users' code.
 */
function catalogued(error: FastifyError): BrokerError {
  const cause = { cause: new Error(error.code ?? error.name) };
  if (error.validation) {
    return new BrokerError("gateway_validation_failed", "validation failed", {
      ...cause,
      issues: validationIssues(error.validation),
    });
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return new BrokerError("gateway_payload_too_large", "too large", cause);
  if (JSON_ERRORS.has(error.code) || error instanceof SyntaxError || status === 415) {
    return new BrokerError("gateway_validation_failed", "not JSON", {
      ...cause,
      issues: [INVALID_JSON],
    });
  }
  if (status >= 400 && status < 500) {
    return new BrokerError("gateway_bad_request", "Bad Request", cause);
  }
  return new BrokerError("gateway_internal_error", "request failed", { cause: error });
}

function handleError(
  this: FastifyInstance,
  thrown: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const error = thrown instanceof BrokerError ? thrown : catalogued(thrown);
  const { status, body, headers, logLevel } = errorResponse(
    error.code,
    error.message,
    error.issues,
  );
  if (logLevel === "info") {
    request.log.info({ code: error.code }, "request refused");
  } else {
    request.log[logLevel]({ code: error.code, err: error.cause ?? error }, error.message);
  }
  return reply.code(status).headers(headers).send(body);
}

/** The gateway's error bodies (FastAPI's, and its middleware's), from the one catalogue. */
export const gatewayErrorHandler = fp(
  async (app) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((_request, reply) => reply.send(new BrokerError("gateway_not_found")));
  },
  { name: "ai-gateway-error-handler" },
);
