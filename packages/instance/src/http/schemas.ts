import { MAX_ID } from "@token-broker/db";
import { Type } from "typebox";

/**
 * Every id the API accepts (params, query, bodies): an integer. One outside 1…2³¹−1 names
 * nothing and answers 404 (the error handler's rule for ids), as GitLab does.
 */
export const Id = Type.Integer({ minimum: 1, maximum: MAX_ID });

/** GitLab's error bodies, for route response schemas (and the API documentation). */
export const GitlabError = Type.Union(
  [
    Type.Object({ message: Type.String() }),
    Type.Object({
      error: Type.String(),
      error_description: Type.Optional(Type.String()),
      scope: Type.Optional(Type.String()),
    }),
  ],
  { description: "GitLab's error body" },
);

/** The Code Suggestions tokens API's answer (both instances). */
export const CodeSuggestionsToken = Type.Object(
  {
    access_token: Type.String({ description: "RS256 JWT for the Code Suggestions service" }),
    expires_in: Type.Integer({ description: "lifetime in seconds" }),
    created_at: Type.Integer({ description: "issue time, Unix seconds" }),
  },
  { description: "A code-suggestions access token" },
);

/** Response schemas for the error statuses a route answers: `gitlabErrors(400, 404)`. */
export function gitlabErrors<const Code extends number>(
  ...codes: Code[]
): Record<Code, typeof GitlabError> {
  return Object.fromEntries(codes.map((code) => [code, GitlabError])) as Record<
    Code,
    typeof GitlabError
  >;
}
