export type { ChangeFeed } from "./cache/change-feed.ts";
export { createLoadingCache, type LoadingCache } from "./cache/loading-cache.ts";
export {
  ConfigurationError,
  type Environment,
  httpUrl,
  integer,
  oneOf,
  optional,
} from "./config/environment.ts";
export {
  DEFAULT_PORTS,
  type InstanceConfig,
  type LogLevel,
  readInstanceConfig,
  type ServiceName,
} from "./config/instance-config.ts";
export { resolveKeyBase } from "./config/key-base.ts";
export type {
  OperationsConfig,
  RateLimitConfig,
  RedisConfig,
} from "./config/operations-config.ts";
export {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  type GitlabErrorBody,
  NotFoundError,
  statusBody,
  TooManyRequestsError,
} from "./http/gitlab-errors.ts";
export { authFailureRefusal, denialRefusal, type Refusal, sendRefusal } from "./http/refusals.ts";
export { CodeSuggestionsToken, GitlabError, gitlabErrors } from "./http/schemas.ts";
export { type InstanceOptions, instance } from "./instance.ts";
export { createLogger, loggerOptions, REDACTED, redactUrl } from "./logger.ts";
export type { CacheLookupRecorder, TokenOutcome } from "./metrics/instance-metrics.ts";
export { REQUEST_ID_HEADER } from "./plugins/request-id.ts";
export { type AppOptions, runService, type ServiceDefinition } from "./run-service.ts";
export { serverOptions } from "./server-options.ts";
