export {
  CHANGES_CHANNEL,
  type NotificationHandlers,
  type Subscription,
} from "./change-notifications.ts";
export {
  type Database,
  type DatabaseLocation,
  DEFAULT_POOL_SIZE,
  databaseLocation,
  type OpenDatabaseOptions,
  openDatabase,
} from "./client.ts";
export { DataDirectoryInUseError } from "./data-dir-lock.ts";
export { classifyDatabaseError, type DatabaseFailure, MAX_ID } from "./database-errors.ts";
export { Prisma, PrismaClient, UserState, UserType } from "./generated/client.ts";
export {
  type Change,
  NOTIFIED_TABLES,
  type NotifiedTable,
  parseChange,
} from "./notified-tables.ts";
