import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import fp from "fastify-plugin";

export const DOCUMENTATION_PREFIX = "/-/docs";

/**
 * OpenAPI documentation generated from the route schemas: the document at
 * `/-/docs/json` (and `/yaml`), a browsable UI at `/-/docs`.
 */
export const apiDocumentation = fp<{ title: string; externalUrl: string }>(
  async (app, { title, externalUrl }) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title,
          version: "16.2",
          description:
            "A GitLab-compatible subset: the Code Suggestions tokens API and its administration.",
        },
        servers: [{ url: externalUrl }],
        components: {
          securitySchemes: {
            bearer: {
              type: "http",
              scheme: "bearer",
              description: "a personal access token (glpat-…)",
            },
            privateToken: { type: "apiKey", in: "header", name: "PRIVATE-TOKEN" },
          },
        },
        security: [{ bearer: [] }, { privateToken: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCUMENTATION_PREFIX, logLevel: "warn" });
  },
  { name: "api-documentation" },
);
