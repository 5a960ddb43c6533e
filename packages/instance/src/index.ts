// Configuration lives in @token-broker/config (no Fastify in it); the apps have imported
// these names from here, and still may.
export {
  ConfigurationError,
  type Environment,
  httpUrl,
  type InstanceConfig,
  integer,
  optional,
  type RateLimitConfig,
  readInstanceConfig,
  resolveKeyBase,
} from "@token-broker/config";
export type { ChangeFeed } from "./cache/change-feed.ts";
export { createLoadingCache } from "./cache/loading-cache.ts";
export { USER_CACHE_BOUNDS } from "./cache/user-cache-bounds.ts";
export { ignoreBodies } from "./http/ignored-body.ts";
export { CodeSuggestionsToken, gitlabErrors, Id } from "./http/schemas.ts";
export { instance } from "./instance.ts";
export { createLogger } from "./logger.ts";
export type { CacheLookupRecorder, TokenOutcome } from "./metrics/instance-metrics.ts";
export { isWellFormedEncoding } from "./plugins/input-hygiene.ts";
export type { RequestLogFields } from "./plugins/request-log.ts";
export {
  type PrincipalLimit,
  type PrincipalLimitRule,
  USER_TOKENS_BUCKET,
} from "./rate-limit/principal-rate-limit.ts";
export { throttledWarning } from "./rate-limit/throttled-warning.ts";
export { runningRevision } from "./revision.ts";
export { type AppOptions, runService, type ServiceDefinition } from "./run-service.ts";
export { serverOptions } from "./server-options.ts";
