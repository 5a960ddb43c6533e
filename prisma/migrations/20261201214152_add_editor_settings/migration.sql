-- AlterTable
ALTER TABLE "application_settings" ADD COLUMN     "ai_gateway_url" TEXT,
ADD COLUMN     "disabled_direct_code_suggestions" BOOLEAN NOT NULL DEFAULT false;
