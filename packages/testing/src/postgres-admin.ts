import pg from "pg";

/** Where tests create their databases: a PostgreSQL server the test run may create databases on. */
export function adminUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

/** The URL of another database on the same server. */
export function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.href;
}

export async function withAdminClient<T>(
  admin: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** One query on a database of the test run, on a connection of its own. */
export async function queryDatabase<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
): Promise<T[]> {
  return withAdminClient(url, async (client) => (await client.query<T>(sql)).rows);
}
