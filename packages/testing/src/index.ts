// The one runner of service processes, for tests that start a service as production does.
export { type ServiceProcess, spawnService } from "@token-broker/service-runner";
export { createFixtures, type Fixtures, fixedToken } from "./fixtures.ts";
export {
  type ModelFailure,
  type ModelServer,
  type ModelServerOptions,
  type ReceivedCompletion,
  startModelServer,
} from "./model-server/model-server.ts";
export { adminUrl, databaseUrl, queryDatabase } from "./postgres-admin.ts";
export {
  freePort,
  type ReceivedRequest,
  type RunningService,
  type StartOptions,
  scheme,
  startService,
  TEST_KEY_BASE,
} from "./running-services.ts";
export { createTestDatabase, openTestDatabase, type TestDatabase } from "./test-database.ts";
