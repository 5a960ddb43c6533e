import { BrokerError } from "@token-broker/errors";
import { isWellFormedEncoding } from "@token-broker/instance";
import { parse as parseQueryString } from "fast-querystring";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parse as parseJson } from "secure-json-parse";

/**
 * Names that would reach an object's prototype were they assigned as keys
 * (`{"__proto__":{"admin":true}}` made `admin` a parameter no route had read from the body).
 * Refused wherever parameters come from: a JSON body (at any depth, by secure-json-parse), a
 * form body and the query string (their keys are flat).
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

function refusePrototypeKeys(params: Record<string, unknown>): void {
  for (const key of Object.keys(params)) {
    const name = key.endsWith("[]") ? key.slice(0, -2) : key;
    if (PROTOTYPE_KEYS.has(name)) {
      throw new BrokerError("invalid", `${name} is not allowed as a parameter name`);
    }
  }
}

/**
 * Rack's convention: `scopes[]=api&scopes[]=read_api` is the array `scopes`.
 * Keys without brackets stay as they are. The result has no prototype, so no key is special.
 */
export function normaliseParams(params: Record<string, unknown>): Record<string, unknown> {
  refusePrototypeKeys(params);
  const result: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(params)) {
    if (key.endsWith("[]")) result[key.slice(0, -2)] = Array.isArray(value) ? value : [value];
    else result[key] = value;
  }
  return result;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A body that is not UTF-8: Node would silently replace its bytes, so one field becomes another. */
function utf8(body: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new BrokerError("bad_request", "the body is not UTF-8");
  }
}

function parseForm(text: string): Record<string, unknown> {
  if (!isWellFormedEncoding(text)) {
    throw new BrokerError("bad_request", "the body is not well-formed UTF-8");
  }
  return parseQueryString(text);
}

/**
 * Parameters as GitLab takes them: a JSON body, a form-encoded body (`curl --data`) or query
 * parameters, merged (the body wins). Routes validate the merged parameters as their body.
 * A JSON content type with an empty body (some clients send one on POST) means no parameters.
 */
export async function gitlabParams(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "buffer" },
    async (_request: FastifyRequest, body: Buffer) => parseForm(utf8(body)),
  );
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "buffer" },
    async (_request: FastifyRequest, body: Buffer) => {
      const text = utf8(body);
      if (text.trim() === "") return {};
      try {
        return parseJson(text, undefined, { protoAction: "error", constructorAction: "error" });
      } catch (error) {
        if (error instanceof SyntaxError && /prototype/.test(error.message)) {
          throw new BrokerError(
            "invalid",
            "__proto__ and constructor.prototype are not allowed as parameter names",
          );
        }
        throw new BrokerError("bad_request", "the body is not valid JSON");
      }
    },
  );
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (request.routeOptions.schema?.body === undefined) {
      refusePrototypeKeys(asRecord(request.query));
      return;
    }
    request.body = normaliseParams({ ...asRecord(request.query), ...asRecord(request.body) });
  });
}
