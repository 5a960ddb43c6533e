import { AdminError, type AdminErrorKind } from "@token-broker/admin";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { type GitlabErrorBody, isGitlabError, statusBody } from "./gitlab-errors.ts";

type ValidationIssue = NonNullable<FastifyError["validation"]>[number];

/** GitLab (Grape) phrasing of a parameter error: "name is missing", "email is invalid". */
export function validationMessage(issue: ValidationIssue): string {
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

function clientErrorBody(error: FastifyError, statusCode: number): GitlabErrorBody {
  if (error.validation?.[0]) return { error: validationMessage(error.validation[0]) };
  if (isGitlabError(error)) return { message: error.message };
  // Parser and framework messages can quote the request body: answer the status only.
  return statusBody(statusCode);
}

const ADMIN_ERROR_STATUS: Readonly<Record<AdminErrorKind, number>> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
};

function adminErrorBody(error: AdminError): GitlabErrorBody {
  return { message: error.kind === "not_found" ? `404 ${error.message}` : error.message };
}

function handleError(
  this: FastifyInstance,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof AdminError) {
    request.log.info({ code: error.kind }, "request refused");
    return reply.code(ADMIN_ERROR_STATUS[error.kind]).send(adminErrorBody(error));
  }
  const statusCode = error.statusCode ?? 500;
  if (statusCode >= 400 && statusCode < 500) {
    request.log.info({ code: error.code, statusCode }, "request refused");
    return reply.code(statusCode).send(clientErrorBody(error, statusCode));
  }
  request.log.error({ err: error }, "request failed");
  const status = statusCode >= 500 && statusCode <= 599 ? statusCode : 500;
  return reply.code(status).send(statusBody(status));
}

/** GitLab's error bodies for every failure, and no internals in any 5xx body. */
export const errorHandler = fp(
  async (app) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "404 Not Found" }));
  },
  { name: "gitlab-error-handler" },
);
