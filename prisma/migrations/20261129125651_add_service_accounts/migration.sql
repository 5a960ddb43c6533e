-- CreateEnum
CREATE TYPE "UserType" AS ENUM ('human', 'service_account');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "user_type" "UserType" NOT NULL DEFAULT 'human';
