import type { ValidationIssue } from "@token-broker/errors";
import type { FastifyError } from "fastify";

type AjvIssue = NonNullable<FastifyError["validation"]>[number];

/** Where in the body: FastAPI's `loc`, e.g. `["body","context",3,"content"]`. */
function location(issue: AjvIssue): (string | number)[] {
  const path = issue.instancePath
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const missing = (issue.params as { missingProperty?: unknown }).missingProperty;
  return ["body", ...path, ...(issue.keyword === "required" ? [String(missing)] : [])];
}

const TYPE_ISSUES: Readonly<Record<string, Omit<ValidationIssue, "loc">>> = {
  string: { type: "string_type", msg: "Input should be a valid string" },
  integer: { type: "int_type", msg: "Input should be a valid integer" },
  number: { type: "float_type", msg: "Input should be a valid number" },
  boolean: { type: "bool_type", msg: "Input should be a valid boolean" },
  array: { type: "list_type", msg: "Input should be a valid list" },
  object: {
    type: "model_attributes_type",
    msg: "Input should be a valid dictionary or object to extract fields from",
  },
};

/** Pydantic's wording for one failed rule; never the input itself (it may be the user's code). */
function describe(issue: AjvIssue): Omit<ValidationIssue, "loc"> {
  const params = issue.params as Record<string, unknown>;
  const limit = Number(params.limit);
  switch (issue.keyword) {
    case "required":
      return { type: "missing", msg: "Field required" };
    case "type":
      return TYPE_ISSUES[String(params.type)] ?? { type: "value_error", msg: "Value error" };
    case "maxLength":
      return {
        type: "string_too_long",
        msg: `String should have at most ${limit} characters`,
        ctx: { max_length: limit },
      };
    case "minLength":
      return {
        type: "string_too_short",
        msg: `String should have at least ${limit} characters`,
        ctx: { min_length: limit },
      };
    case "maxItems":
      return {
        type: "too_long",
        msg: `List should have at most ${limit} items after validation`,
        ctx: { field_type: "List", max_length: limit },
      };
    case "minimum":
      return {
        type: "greater_than_equal",
        msg: `Input should be greater than or equal to ${limit}`,
        ctx: { ge: limit },
      };
    case "maximum":
      return {
        type: "less_than_equal",
        msg: `Input should be less than or equal to ${limit}`,
        ctx: { le: limit },
      };
    case "const":
      return {
        type: "literal_error",
        msg: `Input should be ${String(params.allowedValue)}`,
        ctx: { expected: String(params.allowedValue) },
      };
    default:
      return { type: "value_error", msg: "Value error" };
  }
}

/**
 * Ajv's findings as FastAPI lists them in a 422 (`{"detail":[{type, loc, msg, ctx}]}`),
 * without pydantic's `input`: the gateway's inputs are users' code, never echoed.
 */
export function validationIssues(issues: readonly AjvIssue[]): ValidationIssue[] {
  return issues
    .filter(
      // A field that may be null fails twice more: as not null, and as matching no branch.
      (issue) =>
        issue.keyword !== "anyOf" &&
        !(issue.keyword === "type" && (issue.params as { type?: unknown }).type === "null"),
    )
    .map((issue) => ({ ...describe(issue), loc: location(issue) }));
}

/** A body that is not JSON: pydantic's `json_invalid`. */
export const INVALID_JSON: ValidationIssue = {
  type: "json_invalid",
  loc: ["body", 0],
  msg: "JSON decode error",
};
