import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { SCOPES } from "@token-broker/auth";
import { runningRevision } from "@token-broker/instance";
import { Type } from "typebox";

/**
 * The GitLab release whose API these services implement. Editor extensions choose their
 * code path by it: 16.2 is where the Code Suggestions tokens API this project serves exists.
 */
const GITLAB_VERSION = "16.2.0";

const Metadata = Type.Object(
  {
    version: Type.String(),
    revision: Type.String({ description: "the git short commit, or the package version" }),
    kas: Type.Object({
      enabled: Type.Boolean(),
      externalUrl: Type.Null(),
      version: Type.Null(),
    }),
    enterprise: Type.Boolean(),
  },
  { description: "GitLab's version and metadata" },
);

/** `GET /version` and `GET /metadata`: the same answer, to any authenticated user. */
export const metadataRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Once, at start: the bundle has it built in; from the sources it costs a git call.
  const metadata = {
    version: GITLAB_VERSION,
    revision: runningRevision(),
    kas: { enabled: false, externalUrl: null, version: null },
    enterprise: true,
  };
  for (const path of ["/version", "/metadata"]) {
    app.get(
      path,
      {
        schema: {
          summary: "The GitLab version this instance's API implements",
          tags: ["metadata"],
          response: { 200: Metadata },
        },
        config: { scopes: SCOPES },
      },
      async () => metadata,
    );
  }
};
