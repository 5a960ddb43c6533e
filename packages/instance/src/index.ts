export type { ChangeFeed } from "./cache/change-feed.ts";
export { createLoadingCache } from "./cache/loading-cache.ts";
export type { EditorConfig } from "./config/editor-config.ts";
export {
  ConfigurationError,
  type Environment,
  httpUrl,
  integer,
  optional,
} from "./config/environment.ts";
export { type InstanceConfig, readInstanceConfig } from "./config/instance-config.ts";
export { resolveKeyBase } from "./config/key-base.ts";
export { CodeSuggestionsToken, gitlabErrors, Id } from "./http/schemas.ts";
export { instance } from "./instance.ts";
export { createLogger } from "./logger.ts";
export type { CacheLookupRecorder, TokenOutcome } from "./metrics/instance-metrics.ts";
export { isWellFormedEncoding } from "./plugins/input-hygiene.ts";
export { runningRevision } from "./revision.ts";
export { type AppOptions, runService } from "./run-service.ts";
export { serverOptions } from "./server-options.ts";
