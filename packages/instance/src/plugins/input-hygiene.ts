import { BrokerError } from "@token-broker/errors";
import type { FastifyRequest, preValidationAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";

/**
 * Whether a value holds a NUL character in any string or key, however deep. Iterative: a
 * body nested thousands of levels deep must not overflow the stack.
 */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      if (current.includes("\0")) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (typeof current === "object" && current !== null && !isStream(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (key.includes("\0")) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

function isStream(value: object): boolean {
  return typeof (value as { pipe?: unknown }).pipe === "function";
}

/**
 * Whether percent-encoded text (a query string, a form body) decodes to UTF-8. The usual
 * parsers keep a malformed `%FF` as it is instead of refusing it.
 */
export function isWellFormedEncoding(text: string): boolean {
  try {
    decodeURIComponent(text.replace(/\+/g, " "));
    return true;
  } catch {
    return false;
  }
}

function queryString(request: FastifyRequest): string {
  const start = request.url.indexOf("?");
  return start === -1 ? "" : request.url.slice(start + 1);
}

/**
 * PostgreSQL refuses NUL in text, and text that is not UTF-8 means nothing to any field: both
 * answer 400 before a route (or the database) sees them (docs/instance-api.md). Runs after
 * authentication and body parsing, for every route and every source of parameters.
 */
const refuseUnstorableText: preValidationAsyncHookHandler = async (request) => {
  if (
    !isWellFormedEncoding(queryString(request)) ||
    containsNul(request.params) ||
    containsNul(request.query) ||
    containsNul(request.body)
  ) {
    throw new BrokerError("bad_request", "NUL or malformed UTF-8 in the parameters");
  }
};

export const inputHygiene = fp(
  async (app) => {
    app.addHook("preValidation", refuseUnstorableText);
  },
  { name: "input-hygiene" },
);
