import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { SCOPES } from "@token-broker/auth";
import { runningRevision } from "@token-broker/instance";
import { Type } from "typebox";

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
  // GITLAB_VERSION: editor extensions choose their code path by it (docs/editors.md); the
  // 16.1–16.2 routes answer as before whatever it says.
  const metadata = {
    version: app.config.editor.gitlabVersion,
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
