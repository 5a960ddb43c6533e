export { applyMigrations, MigrationError } from "./apply.ts";
export { diffMigrationsToSchema } from "./diff.ts";
export { MIGRATIONS_DIR, readMigrationFolder, SCHEMA_PATH } from "./migration-folder.ts";
