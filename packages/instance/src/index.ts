export type { ChangeFeed } from "./cache/change-feed.ts";
export { createLoadingCache } from "./cache/loading-cache.ts";
export type { EditorConfig } from "./config/editor-config.ts";
export {
  ConfigurationError,
  type Environment,
  httpUrl,
  integer,
  oneOf,
  optional,
} from "./config/environment.ts";
export {
  type InstanceConfig,
  LOG_LEVELS,
  type LogLevel,
  readInstanceConfig,
} from "./config/instance-config.ts";
export { resolveKeyBase } from "./config/key-base.ts";
export {
  type RedisConfig,
  readMetricsAllowedIps,
  readRedisConfig,
} from "./config/operations-config.ts";
export { closeConnectionsWhileDraining } from "./drain.ts";
export { CodeSuggestionsToken, gitlabErrors, Id } from "./http/schemas.ts";
export { instance } from "./instance.ts";
export { createLogger } from "./logger.ts";
export type { CacheLookupRecorder, TokenOutcome } from "./metrics/instance-metrics.ts";
export { createOutboundDispatcher } from "./network/outbound-dispatcher.ts";
export { type OutboundNetwork, readOutboundNetwork } from "./network/outbound-network.ts";
export { apiDocumentation } from "./plugins/api-documentation.ts";
export { isWellFormedEncoding } from "./plugins/input-hygiene.ts";
export { metrics } from "./plugins/metrics.ts";
export { requestIdHeader } from "./plugins/request-id.ts";
export { requestLog } from "./plugins/request-log.ts";
export { type RateLimiterOptions, registerRateLimiter } from "./rate-limit/rate-limiter.ts";
export { runningRevision } from "./revision.ts";
export { type AppOptions, runService } from "./run-service.ts";
export { exitWith, prettyLogs, serveUntilStopped } from "./serve-until-stopped.ts";
export { serverOptions } from "./server-options.ts";
