/** At most this many statements are prepared per connection; later ones go unnamed. */
export const MAX_PREPARED_STATEMENTS = 200;

/**
 * Names for Prisma's statements, so that each PostgreSQL connection parses and plans a
 * statement once and then only executes it (pg prepares a named statement on a connection
 * the first time it runs it there). Planning is most of what a token lookup costs the
 * server (EXPLAIN: 80–230 µs planning, 16–60 µs execution), and the cold path does two.
 * One name per distinct SQL text, for the process's life; past the bound (statements whose
 * text varies, e.g. with the length of an IN list) statements stay unnamed, so neither side
 * holds an unbounded set.
 *
 * Only for a direct connection: a pooler in transaction mode (PgBouncer before 1.21) runs
 * each statement on any server session, where a statement prepared on another is unknown.
 */
export function statementNames(max = MAX_PREPARED_STATEMENTS) {
  const names = new Map<string, string>();
  return (query: { readonly sql: string }): string => {
    let name = names.get(query.sql);
    if (name === undefined && names.size < max) {
      name = `broker_${names.size + 1}`;
      names.set(query.sql, name);
    }
    // Unnamed: pg parses and plans it every time, as for any unnamed statement.
    return name as string;
  };
}
