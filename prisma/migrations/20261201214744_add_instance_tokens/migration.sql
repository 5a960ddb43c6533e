-- CreateTable
CREATE TABLE "instance_tokens" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "encrypted_token" TEXT,
    "issued_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "service_token_digest" TEXT,
    "refresh_lease_until" TIMESTAMPTZ(3),
    "last_failure_at" TIMESTAMPTZ(3),
    "last_failure" TEXT,

    CONSTRAINT "instance_tokens_pkey" PRIMARY KEY ("id")
);

-- Every replica drops its cached instance token when another one (or the console) stores a
-- new one, so that all of them send the same token and none fetches its own.
CREATE TRIGGER "instance_tokens_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "instance_tokens"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
