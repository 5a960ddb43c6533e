import { ConfigurationError, type Environment, httpUrl, integer, optional } from "./environment.ts";

/** What the editor API (language server's routes, docs/editors.md) reads from the environment. */
export interface EditorConfig {
  /** What `/api/v4/version` reports: the language server picks its code path by it. */
  readonly gitlabVersion: string;
  /** Where completions go while the setting `ai_gateway_url` is unset. */
  readonly aiGatewayUrl: string;
  /** Completions per user per minute (0: no limit). */
  readonly completionsPerUser: number;
  /** Direct-access requests per user per minute (0: no limit). */
  readonly directAccessPerUser: number;
  /** How long a completion waits for the gateway (its headers, then each chunk): then 504. */
  readonly gatewayTimeoutMs: number;
}

/**
 * 17.2 is what today's language server needs (≥ 16.8 for Code Suggestions); a version
 * string is `major.minor.patch`, optionally with GitLab's `-ee` or a pre-release suffix.
 */
const DEFAULT_GITLAB_VERSION = "17.2.0";
const VERSION_SHAPE = /^\d{1,3}\.\d{1,3}\.\d{1,3}(?:-[0-9A-Za-z.-]{1,32})?$/;
const MAX_PER_MINUTE = 10_000_000;

export function readEditorConfig(env: Environment): EditorConfig {
  const range = { min: 0, max: MAX_PER_MINUTE };
  return {
    gitlabVersion: gitlabVersion(env),
    aiGatewayUrl: httpUrl(env, "AI_GATEWAY_URL", "http://localhost:5052"),
    completionsPerUser: integer(env, "COMPLETIONS_RATE_LIMIT_PER_USER", 60, range),
    directAccessPerUser: integer(env, "DIRECT_ACCESS_RATE_LIMIT_PER_USER", 50, range),
    // GitLab's Workhorse gives the gateway 55 s.
    gatewayTimeoutMs: integer(env, "AI_GATEWAY_TIMEOUT_MS", 55_000, { min: 1, max: 600_000 }),
  };
}

function gitlabVersion(env: Environment): string {
  const raw = optional(env, "GITLAB_VERSION") ?? DEFAULT_GITLAB_VERSION;
  if (!VERSION_SHAPE.test(raw)) {
    throw new ConfigurationError(
      "GITLAB_VERSION",
      `must be a GitLab version such as 17.2.0 (got "${raw.slice(0, 40)}")`,
    );
  }
  return raw;
}
