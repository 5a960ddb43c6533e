/**
 * The editor API's part of `pnpm dev`: how to point an editor (its GitLab language server) at
 * the self-managed instance, and the completion it asks for, as a curl command.
 */

/** What the language server sends for a completion (empty project, as outside a project). */
const LANGUAGE_SERVER_COMPLETION = {
  prompt_version: 1,
  project_path: "",
  project_id: -1,
  current_file: {
    file_name: "add.py",
    content_above_cursor: "def add(a, b):\n    ",
    content_below_cursor: "",
  },
};

export function editorDemoLines(selfManagedUrl: string, developerToken: string): string[] {
  return [
    "[dev] Point an editor at self-managed (GitLab Workflow for VS Code, GitLab Duo for JetBrains, gitlab.vim, Visual Studio; language server 7.x or later):",
    `[dev]   instance URL: ${selfManagedUrl}`,
    `[dev]   personal access token: ${developerToken}   (scope api)`,
    '[dev]   VS Code: "GitLab: Authenticate" → "Manually enter instance URL". More in docs/editors.md.',
    "[dev] A completion through self-managed, as the language server asks it:",
    "",
    `  curl --request POST "${selfManagedUrl}/api/v4/code_suggestions/completions"` +
      ` --header "Authorization: Bearer ${developerToken}"` +
      ` --header "Content-Type: application/json"` +
      ` --data '${JSON.stringify(LANGUAGE_SERVER_COMPLETION)}'`,
    "",
  ];
}
