import type { AccessRule } from "@token-broker/editor-api";
import { accessCodeSuggestions, type CodeSuggestionsSubject } from "@token-broker/policy";

/** SaaS's editor rule: GitLab's `access_code_suggestions` for the authenticated user. */
export function saasEditorAccessRule(
  subjectOf: (userId: number) => Promise<CodeSuggestionsSubject>,
): AccessRule {
  return async (request) =>
    accessCodeSuggestions(await subjectOf(request.principal.user.id)).allowed;
}
