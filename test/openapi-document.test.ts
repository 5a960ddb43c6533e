import { describe, expect, it } from "vitest";
import { useBothServices } from "./support/both-services.ts";

interface Operation {
  readonly responses: Record<string, unknown>;
}
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** The administrators-only operations of docs/instance-api.md, as the document names them. */
const ADMINISTRATORS_ONLY = [
  "post /api/v4/users",
  "put /api/v4/users/{id}",
  "post /api/v4/users/{id}/block",
  "post /api/v4/users/{id}/unblock",
  "post /api/v4/users/{id}/personal_access_tokens",
  "get /api/v4/features",
  "post /api/v4/features/{name}",
  "delete /api/v4/features/{name}",
  "get /api/v4/application/settings",
  "put /api/v4/application/settings",
];

/** Every operation under /api/v4, all protected (docs/token-api.md, docs/instance-api.md). */
async function protectedOperations(service: { readonly url: string }) {
  const response = await fetch(`${service.url}/-/docs/json`);
  expect(response.status).toBe(200);
  const document = (await response.json()) as OpenApiDocument;
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith("/api/v4/"))
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        name: `${method} ${path}`,
        method,
        path,
        responses: Object.keys(operation.responses),
      })),
    );
}

/** A concrete URL for a documented path: every parameter is a plausible id. */
function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, "1");
}

const { each } = useBothServices();

describe.each(each)("the OpenAPI document of %s", (_name, service) => {
  it("documents 401, 403 and 503 on every protected operation", async () => {
    const operations = await protectedOperations(service());
    expect(operations.map((operation) => operation.name)).toEqual(
      expect.arrayContaining([...ADMINISTRATORS_ONLY, "post /api/v4/code_suggestions/tokens"]),
    );
    const undocumented = operations
      .filter(({ responses }) => !["401", "403", "503"].every((code) => responses.includes(code)))
      .map((operation) => operation.name);
    expect(undocumented).toEqual([]);
  });

  it("is right: every documented operation refuses a request without credentials", async () => {
    for (const { name, method, path } of await protectedOperations(service())) {
      const response = await fetch(`${service().url}${concrete(path)}`, {
        method: method.toUpperCase(),
      });
      expect([name, response.status, await response.json()]).toEqual([
        name,
        401,
        { message: "401 Unauthorized" },
      ]);
    }
  });

  it("is right: administrators-only operations refuse any other user with 403", async () => {
    const { token } = await service().fixtures.userWithToken();
    for (const name of ADMINISTRATORS_ONLY) {
      const [method, path] = name.split(" ");
      const response = await fetch(`${service().url}${concrete(String(path))}`, {
        method: String(method).toUpperCase(),
        headers: { "private-token": token },
      });
      expect([name, response.status, await response.json()]).toEqual([
        name,
        403,
        { message: "403 Forbidden" },
      ]);
    }
  });
});
