-- Change notifications for the services' in-memory caches: every committed change to what
-- a token request reads is announced on the channel broker_changes as "table:key", so every
-- replica drops what it cached. Not modelled by Prisma (triggers are invisible to it).

CREATE FUNCTION "broker_notify_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
  row_key text;
BEGIN
  -- A token's last use is written every ten minutes at most and changes nothing cached.
  IF TG_TABLE_NAME = 'personal_access_tokens' AND TG_OP = 'UPDATE'
     AND (to_jsonb(OLD) - 'last_used_at') = (to_jsonb(NEW) - 'last_used_at') THEN
    RETURN NULL;
  END IF;
  row_key := CASE TG_TABLE_NAME
    WHEN 'group_members' THEN changed ->> 'user_id'
    WHEN 'users' THEN changed ->> 'id'
    WHEN 'personal_access_tokens' THEN changed ->> 'id'
    WHEN 'groups' THEN changed ->> 'id'
    ELSE ''
  END;
  PERFORM pg_notify('broker_changes', TG_TABLE_NAME || ':' || COALESCE(row_key, ''));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "users_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
CREATE TRIGGER "personal_access_tokens_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "personal_access_tokens"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
CREATE TRIGGER "groups_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "groups"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
CREATE TRIGGER "group_members_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "group_members"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
CREATE TRIGGER "features_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "features"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
CREATE TRIGGER "feature_gates_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "feature_gates"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
CREATE TRIGGER "application_settings_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "application_settings"
  FOR EACH ROW EXECUTE FUNCTION "broker_notify_change"();
