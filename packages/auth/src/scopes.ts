/** The personal access token scopes this project knows (a subset of GitLab's). */
export const SCOPES = ["api", "read_api", "read_user", "ai_features"] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Scopes that may call the Code Suggestions tokens endpoint. */
export const CODE_SUGGESTIONS_SCOPES: readonly Scope[] = ["api", "ai_features"];
/** Scopes that may change anything through the API (and call administrators' routes). */
export const API_SCOPES: readonly Scope[] = ["api"];
