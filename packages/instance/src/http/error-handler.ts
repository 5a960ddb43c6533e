import { classifyDatabaseError, type DatabaseFailure } from "@token-broker/db";
import { BrokerError, type ErrorCode, errorResponse } from "@token-broker/errors";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

type ValidationIssue = NonNullable<FastifyError["validation"]>[number];

/** GitLab (Grape) phrasing of a parameter error: "name is missing", "email is invalid". */
function validationMessage(issue: ValidationIssue): string {
  const params = issue.params as Record<string, unknown>;
  if (issue.keyword === "required") return `${String(params.missingProperty)} is missing`;
  const field = issue.instancePath.split("/").filter(Boolean)[0] ?? "parameters";
  if (issue.keyword === "enum" || issue.keyword === "anyOf" || issue.keyword === "const") {
    return `${field} does not have a valid value`;
  }
  if (issue.keyword === "additionalProperties") {
    return `${String(params.additionalProperty)} is not allowed`;
  }
  return `${field} is invalid`;
}

/** An id field: `id`, `user_id`, `parent_id`. */
const ID_FIELD = /^(?:\w+_)?id$/;

/** An id outside 1…2³¹−1 (the `Id` schema's bounds) names nothing: GitLab answers 404. */
function isIdOutOfRange(issue: ValidationIssue): boolean {
  const field = issue.instancePath.split("/").filter(Boolean).at(-1) ?? "";
  return (issue.keyword === "minimum" || issue.keyword === "maximum") && ID_FIELD.test(field);
}

/** Whatever input reached the database and was refused there is the client's, not a 500. */
const DATABASE_FAILURES: Readonly<Record<DatabaseFailure, [ErrorCode, string?]>> = {
  unavailable: ["database_unavailable"],
  out_of_range: ["not_found", "Not Found"],
  not_found: ["not_found", "Not Found"],
  invalid_text: ["bad_request"],
  conflict: ["conflict", "409 Conflict"],
};

const CLIENT_ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * The catalogue's error for what the framework (or a library) threw. Its own message stays
 * out of the detail: parser messages can quote the request body.
 */
function catalogued(error: FastifyError): BrokerError {
  const status = error.statusCode ?? 500;
  const cause = { cause: error };
  if (error.validation?.some(isIdOutOfRange)) {
    return new BrokerError("not_found", "Not Found", cause);
  }
  if (error.validation?.[0]) {
    return new BrokerError("validation_failed", validationMessage(error.validation[0]), cause);
  }
  const databaseFailure = classifyDatabaseError(error);
  if (databaseFailure) {
    const [code, detail] = DATABASE_FAILURES[databaseFailure];
    return new BrokerError(code, detail ?? code, cause);
  }
  if (status >= 400 && status < 500) {
    return new BrokerError(CLIENT_ERROR_CODES[status] ?? "bad_request", error.code, cause);
  }
  return new BrokerError("internal_error", "request failed", cause);
}

/** The one HTTP mapping of every refusal and failure: the catalogue's status, body and headers. */
function handleError(
  this: FastifyInstance,
  thrown: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const error = thrown instanceof BrokerError ? thrown : catalogued(thrown);
  const { status, body, headers, logLevel } = errorResponse(error.code, error.message);
  if (logLevel === "info") {
    const detail = error.message === error.code ? undefined : error.message;
    request.log.info({ code: error.code, detail }, "request refused");
  } else {
    request.log[logLevel]({ code: error.code, err: error.cause ?? error }, error.message);
  }
  return reply.code(status).headers(headers).send(body);
}

/** GitLab's error bodies for every failure, and no internals in any 5xx body. */
export const errorHandler = fp(
  async (app) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((_request, reply) => reply.send(new BrokerError("route_not_found")));
  },
  { name: "gitlab-error-handler" },
);
