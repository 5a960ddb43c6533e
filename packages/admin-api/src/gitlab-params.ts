import { BrokerError } from "@token-broker/errors";
import { isWellFormedEncoding } from "@token-broker/instance";
import { parse as parseQueryString } from "fast-querystring";
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * Rack's convention: `scopes[]=api&scopes[]=read_api` is the array `scopes`.
 * Keys without brackets stay as they are.
 */
export function normaliseParams(params: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
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
        return JSON.parse(text);
      } catch {
        throw new BrokerError("bad_request", "the body is not valid JSON");
      }
    },
  );
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (request.routeOptions.schema?.body === undefined) return;
    request.body = normaliseParams({ ...asRecord(request.query), ...asRecord(request.body) });
  });
}
