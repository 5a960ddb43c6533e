export { type EditorConfig, readEditorConfig } from "./editor-config.ts";
export {
  ConfigurationError,
  type Environment,
  httpUrl,
  integer,
  oneOf,
  optional,
} from "./environment.ts";
export {
  DEFAULT_PORTS,
  type InstanceConfig,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  readInstanceConfig,
  readLogFormat,
  type ServiceName,
} from "./instance-config.ts";
export { resolveKeyBase } from "./key-base.ts";
export {
  type OperationsConfig,
  type RateLimitConfig,
  type RedisConfig,
  readMetricsAllowedIps,
  readOperationsConfig,
  readRedisConfig,
} from "./operations-config.ts";
export { type OutboundNetwork, readOutboundNetwork } from "./outbound-network.ts";
export {
  ensureInstanceRows,
  type OpenStorageOptions,
  openStorage,
  type Storage,
} from "./storage.ts";
