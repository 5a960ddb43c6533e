// Configuration lives in @token-broker/config (no Fastify in it); the apps have imported
// these names from here, and still may.
export {
  ConfigurationError,
  type EditorConfig,
  type Environment,
  httpUrl,
  type InstanceConfig,
  integer,
  LOG_LEVELS,
  type LogLevel,
  type OutboundNetwork,
  oneOf,
  optional,
  type RateLimitConfig,
  type RedisConfig,
  readInstanceConfig,
  readMetricsAllowedIps,
  readOutboundNetwork,
  readRedisConfig,
  resolveKeyBase,
} from "@token-broker/config";
export type { ChangeFeed } from "./cache/change-feed.ts";
export { createLoadingCache } from "./cache/loading-cache.ts";
export { USER_CACHE_BOUNDS } from "./cache/user-cache-bounds.ts";
export { closeConnectionsWhileDraining } from "./drain.ts";
export { ignoreBodies } from "./http/ignored-body.ts";
export { CodeSuggestionsToken, gitlabErrors, Id } from "./http/schemas.ts";
export { instance } from "./instance.ts";
export { createLogger } from "./logger.ts";
export type { CacheLookupRecorder, TokenOutcome } from "./metrics/instance-metrics.ts";
export { createOutboundDispatcher } from "./network/outbound-dispatcher.ts";

export { apiDocumentation } from "./plugins/api-documentation.ts";
export { isWellFormedEncoding } from "./plugins/input-hygiene.ts";
export { metrics } from "./plugins/metrics.ts";
export { requestIdHeader } from "./plugins/request-id.ts";
export { type RequestLogFields, requestLog } from "./plugins/request-log.ts";
export {
  type PrincipalLimit,
  type PrincipalLimitRule,
  USER_TOKENS_BUCKET,
} from "./rate-limit/principal-rate-limit.ts";
export { type RateLimiterOptions, registerRateLimiter } from "./rate-limit/rate-limiter.ts";
export { throttledWarning } from "./rate-limit/throttled-warning.ts";
export { runningRevision } from "./revision.ts";
export { type AppOptions, runService, type ServiceDefinition } from "./run-service.ts";
export { exitWith, prettyLogs, serveUntilStopped } from "./serve-until-stopped.ts";
export { serverOptions } from "./server-options.ts";
