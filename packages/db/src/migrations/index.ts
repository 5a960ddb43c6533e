export { applyMigrations, MigrationError } from "./apply.ts";
export { diffMigrationsToSchema } from "./diff.ts";
export { MIGRATE_ONLY_FLAG, migrateInChildProcess } from "./migrate-in-child-process.ts";
export { MIGRATIONS_DIR, readMigrationFolder, SCHEMA_PATH } from "./migration-folder.ts";
