-- Every replica reloads its key ring when a key is created, activated or retired, so the
-- next request to any replica signs with the active key and publishes the current set.
CREATE TRIGGER "signing_keys_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "signing_keys"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
