export { adminUrl, databaseUrl } from "./postgres-admin.ts";
export { type ServiceProcess, spawnService } from "./service-process.ts";
export { createTestDatabase, openTestDatabase, type TestDatabase } from "./test-database.ts";
