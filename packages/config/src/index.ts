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
  type LogFormat,
  type LogLevel,
  readInstanceConfig,
  type ServiceName,
} from "./instance-config.ts";
export { resolveKeyBase } from "./key-base.ts";
export {
  type OperationsConfig,
  type RateLimitConfig,
  type RedisConfig,
  readOperationsConfig,
} from "./operations-config.ts";
export {
  ensureInstanceRows,
  type OpenStorageOptions,
  openStorage,
  type Storage,
} from "./storage.ts";
