import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import fp from "fastify-plugin";

export const DOCUMENTATION_PREFIX = "/-/docs";

/**
 * OpenAPI documentation generated from the route schemas: the document at
 * `/-/docs/json` (and `/yaml`), a browsable UI at `/-/docs`.
 */
export interface ApiDocumentationOptions {
  readonly title: string;
  readonly externalUrl: string;
  /** The AI gateway's: its own description, and JWT bearer tokens instead of GitLab's tokens. */
  readonly gateway?: { readonly description: string };
}

const GITLAB_SECURITY = {
  securitySchemes: {
    bearer: {
      type: "http" as const,
      scheme: "bearer",
      description: "a personal access token (glpat-…)",
    },
    privateToken: { type: "apiKey" as const, in: "header" as const, name: "PRIVATE-TOKEN" },
  },
  security: [{ bearer: [] }, { privateToken: [] }] as Record<string, string[]>[],
};

const JWT_SECURITY = {
  securitySchemes: {
    bearer: {
      type: "http" as const,
      scheme: "bearer",
      bearerFormat: "JWT",
      description: "a token signed by a trusted issuer (SaaS) or by the gateway",
    },
  },
  security: [{ bearer: [] }] as Record<string, string[]>[],
};

export const apiDocumentation = fp<ApiDocumentationOptions>(
  async (app, { title, externalUrl, gateway }) => {
    const { securitySchemes, security } = gateway ? JWT_SECURITY : GITLAB_SECURITY;
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title,
          version: "16.2",
          description:
            gateway?.description ??
            "A GitLab-compatible subset: the Code Suggestions tokens API and its administration.",
        },
        servers: [{ url: externalUrl }],
        components: { securitySchemes },
        security,
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCUMENTATION_PREFIX, logLevel: "warn" });
  },
  { name: "api-documentation" },
);
