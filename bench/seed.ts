/**
 * Realistic data, written in bulk with SQL: users with one token each, top-level groups and
 * subgroups, each user a member of a few groups (hence of a few root groups).
 */
import { randomBytes } from "node:crypto";
import { createTokenDigester } from "@token-broker/auth";
import pg from "pg";

export interface SeededUsers {
  /** Tokens (scope api) of a sample of users spread over the whole table. */
  readonly tokens: string[];
}

const BATCH = 20_000;

function token(): string {
  return `glpat-${randomBytes(15).toString("base64url")}`;
}

/** `users` users, as many groups (half top-level, half subgroups), 3 memberships per user. */
export async function seedUsers(
  url: string,
  options: { users: number; keyBase: string; sample: number },
): Promise<SeededUsers> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const digest = createTokenDigester(options.keyBase);
    const n = options.users;
    const roots = Math.max(1, Math.floor(n / 2));
    await client.query("BEGIN");
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO users (username, email, name)
       SELECT 'bench' || i, 'bench' || i || '@example.com', 'Bench user ' || i FROM generate_series(1, $1) i
       RETURNING id`,
      [n],
    );
    const ids = rows.map((row) => row.id);
    await client.query(
      `INSERT INTO groups (name, path, full_path)
       SELECT 'Group ' || i, 'bench-group-' || i, 'bench-group-' || i FROM generate_series(1, $1) i`,
      [roots],
    );
    await client.query(
      `INSERT INTO groups (name, path, full_path, parent_id, root_id)
       SELECT 'Sub ' || g.id, 'sub', g.full_path || '/sub', g.id, g.id
       FROM groups g WHERE g.parent_id IS NULL AND g.path LIKE 'bench-group-%' LIMIT $1`,
      [n - roots],
    );
    const { rows: groups } = await client.query<{ id: number }>(
      "SELECT id FROM groups WHERE full_path LIKE 'bench-group-%' ORDER BY id",
    );
    const groupIds = groups.map((group) => group.id);
    // Each user in three different groups, spread pseudo-randomly.
    for (let start = 0; start < ids.length; start += BATCH) {
      const userIds: number[] = [];
      const memberGroups: number[] = [];
      for (const [offset, userId] of ids.slice(start, start + BATCH).entries()) {
        const i = start + offset;
        for (const k of [0, 1, 2]) {
          userIds.push(userId);
          memberGroups.push(groupIds[(i * 7919 + k * 104_729) % groupIds.length] as number);
        }
      }
      await client.query(
        `INSERT INTO group_members (user_id, group_id, access_level)
         SELECT u, g, 30 FROM unnest($1::int[], $2::int[]) AS t(u, g) ON CONFLICT DO NOTHING`,
        [userIds, memberGroups],
      );
    }
    const every = Math.max(1, Math.floor(n / options.sample));
    const tokens: string[] = [];
    for (let start = 0; start < ids.length; start += BATCH) {
      const userIds: number[] = [];
      const digests: string[] = [];
      for (const [offset, userId] of ids.slice(start, start + BATCH).entries()) {
        const secret = token();
        if ((start + offset) % every === 0 && tokens.length < options.sample) tokens.push(secret);
        userIds.push(userId);
        digests.push(digest(secret));
      }
      await client.query(
        `INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes)
         SELECT u, 'editor', d, ARRAY['api'] FROM unnest($1::int[], $2::text[]) AS t(u, d)`,
        [userIds, digests],
      );
    }
    await client.query("COMMIT");
    // Vacuumed now rather than by autovacuum in the middle of a measurement.
    await client.query("VACUUM ANALYZE");
    return { tokens };
  } finally {
    await client.end();
  }
}
