-- GitLab's uniqueness of usernames, emails and group paths ignores case (`ROOT` is `root`).
-- Unique indexes on lower(...) hold that rule, and settle two creations at once. Not
-- modelled by Prisma (expression indexes are invisible to it).
--
-- Rows that already differ only in case stay, and keep working (their tokens, memberships
-- and ids are untouched): the oldest (lowest id) keeps its name; each later one gets its id
-- as a suffix, `-<id>` on a username or a group's path (its subgroups' full paths follow),
-- `+<id>` before the `@` of an email; a suffixed name that is taken is suffixed again. An
-- administrator may rename them afterwards.

DO $$
DECLARE
  later record;
  renamed text;
  own_path text;
  old_full_path text;
  parent_path text;
BEGIN
  FOR later IN
    SELECT u."id", u."username" FROM "users" AS u
     WHERE EXISTS (SELECT 1 FROM "users" AS older
                    WHERE lower(older."username") = lower(u."username") AND older."id" < u."id")
     ORDER BY u."id"
  LOOP
    renamed := later."username" || '-' || later."id";
    WHILE EXISTS (SELECT 1 FROM "users" WHERE lower("username") = lower(renamed)) LOOP
      renamed := renamed || '-' || later."id";
    END LOOP;
    UPDATE "users" SET "username" = renamed WHERE "id" = later."id";
  END LOOP;

  FOR later IN
    SELECT u."id", u."email" FROM "users" AS u
     WHERE EXISTS (SELECT 1 FROM "users" AS older
                    WHERE lower(older."email") = lower(u."email") AND older."id" < u."id")
     ORDER BY u."id"
  LOOP
    renamed := later."email";
    LOOP
      renamed := CASE WHEN strpos(renamed, '@') > 0
                      THEN regexp_replace(renamed, '@([^@]*)$', '+' || later."id" || '@\1')
                      ELSE renamed || '+' || later."id" END;
      EXIT WHEN NOT EXISTS (SELECT 1 FROM "users" WHERE lower("email") = lower(renamed));
    END LOOP;
    UPDATE "users" SET "email" = renamed WHERE "id" = later."id";
  END LOOP;

  -- Shallowest first: a subgroup whose parent was renamed no longer collides, and keeps
  -- its own path. A renamed group's subgroups follow it (their full paths start with its).
  FOR later IN
    SELECT g."id" FROM "groups" AS g
     ORDER BY length(g."full_path") - length(replace(g."full_path", '/', '')), g."id"
  LOOP
    SELECT g."path", g."full_path", p."full_path" INTO STRICT own_path, old_full_path, parent_path
      FROM "groups" AS g LEFT JOIN "groups" AS p ON p."id" = g."parent_id"
     WHERE g."id" = later."id";
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM "groups" AS older
                               WHERE lower(older."full_path") = lower(old_full_path)
                                 AND older."id" < later."id");
    renamed := own_path || '-' || later."id";
    WHILE EXISTS (SELECT 1 FROM "groups"
                   WHERE lower("full_path") = lower(concat_ws('/', parent_path, renamed))) LOOP
      renamed := renamed || '-' || later."id";
    END LOOP;
    UPDATE "groups"
       SET "full_path" = concat_ws('/', parent_path, renamed) || substr("full_path", length(old_full_path) + 1)
     WHERE "full_path" = old_full_path OR left("full_path", length(old_full_path) + 1) = old_full_path || '/';
    UPDATE "groups" SET "path" = renamed WHERE "id" = later."id";
  END LOOP;
END;
$$;

CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username"));
CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"));
CREATE UNIQUE INDEX "groups_full_path_lower_key" ON "groups" (lower("full_path"));
