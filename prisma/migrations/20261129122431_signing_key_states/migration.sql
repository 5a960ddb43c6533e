-- Signing keys get a life cycle for rotation: published → active → published → retired,
-- with the time of each step (the console's waiting periods are measured from them).

-- CreateEnum
CREATE TYPE "signing_key_state" AS ENUM ('published', 'active', 'retired');

-- AlterTable
ALTER TABLE "signing_keys" ADD COLUMN     "activated_at" TIMESTAMPTZ(3),
ADD COLUMN     "deactivated_at" TIMESTAMPTZ(3),
ADD COLUMN     "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "retired_at" TIMESTAMPTZ(3),
ADD COLUMN     "state" "signing_key_state" NOT NULL DEFAULT 'published';

-- Existing keys were published from their creation on; the one that signs becomes active.
UPDATE "signing_keys" SET "published_at" = "created_at",
  "state" = CASE WHEN "signing" THEN 'active'::"signing_key_state" ELSE 'published' END,
  "activated_at" = CASE WHEN "signing" THEN "created_at" END;

ALTER TABLE "signing_keys" DROP COLUMN "signing";
