import formbody from "@fastify/formbody";
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

/**
 * Parameters as GitLab takes them: a JSON body, a form-encoded body (`curl --data`) or query
 * parameters, merged (the body wins). Routes validate the merged parameters as their body.
 * A JSON content type with an empty body (some clients send one on POST) means no parameters.
 */
export async function gitlabParams(app: FastifyInstance): Promise<void> {
  await app.register(formbody);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error("the body is not valid JSON"), { statusCode: 400 }), undefined);
    }
  });
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (request.routeOptions.schema?.body === undefined) return;
    request.body = normaliseParams({ ...asRecord(request.query), ...asRecord(request.body) });
  });
}
