/** The editor settings' defaults, as GET /application/settings shows them (docs/editors.md). */
export const EDITOR_DEFAULTS = {
  ai_gateway_url: "http://localhost:5052",
  disabled_direct_code_suggestions: false,
} as const;
