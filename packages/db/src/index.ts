export {
  type Database,
  type DatabaseLocation,
  databaseLocation,
  type OpenDatabaseOptions,
  openDatabase,
} from "./client.ts";
export { DataDirectoryInUseError } from "./data-dir-lock.ts";
export { Prisma, PrismaClient, UserState } from "./generated/client.ts";
