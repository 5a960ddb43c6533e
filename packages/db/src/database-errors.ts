/** The largest id a PostgreSQL `integer` column holds: ids beyond it name no record. */
export const MAX_ID = 2 ** 31 - 1;

/**
 * What a failed query says about the request, read from the error whatever layer threw it
 * (Prisma, its driver adapter, pg, the socket). The HTTP layer turns it into a status: the
 * database being away is a 503, a value PostgreSQL refuses is the client's input, never a 500.
 */
export type DatabaseFailure =
  /** The database is unreachable or cut the connection (docs/operations.md, Database outages). */
  | "unavailable"
  /** A value the column type cannot hold (an id beyond 32 bits): no such record. */
  | "out_of_range"
  /** Text PostgreSQL refuses (NUL, invalid encoding, too long). */
  | "invalid_text"
  /** A unique constraint. */
  | "conflict"
  /** The record to change, or one it refers to, does not exist. */
  | "not_found";

const PRISMA_CODES: Readonly<Record<string, DatabaseFailure>> = {
  P1001: "unavailable",
  P1002: "unavailable",
  P1008: "unavailable",
  P1017: "unavailable",
  P2024: "unavailable",
  P2000: "invalid_text",
  P2002: "conflict",
  P2003: "not_found",
  P2020: "out_of_range",
  P2025: "not_found",
};

const ADAPTER_KINDS: Readonly<Record<string, DatabaseFailure>> = {
  DatabaseNotReachable: "unavailable",
  DatabaseDoesNotExist: "unavailable",
  DatabaseAccessDenied: "unavailable",
  ConnectionClosed: "unavailable",
  SocketTimeout: "unavailable",
  TooManyConnections: "unavailable",
  TlsConnectionError: "unavailable",
  ValueOutOfRange: "out_of_range",
  LengthMismatch: "invalid_text",
  UniqueConstraintViolation: "conflict",
  ForeignKeyConstraintViolation: "not_found",
};

/** SQLSTATEs by class or exact code (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
function sqlStateFailure(state: string): DatabaseFailure | undefined {
  if (state.startsWith("08") || state.startsWith("57P") || state === "53300") return "unavailable";
  if (state === "3D000" || state === "28000" || state === "55000") return "unavailable";
  if (state === "22003") return "out_of_range";
  if (state === "22021" || state === "22P05" || state === "22001" || state === "22P02") {
    return "invalid_text";
  }
  if (state === "23505") return "conflict";
  if (state === "23503") return "not_found";
  return undefined;
}

const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** pg's own messages for a connection it lost or could not get (they carry no code). */
const CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|client has encountered a connection error|connection is closed/i;

function failureOf(value: Record<string, unknown>): DatabaseFailure | undefined {
  const code = typeof value.code === "string" ? value.code : undefined;
  if (code !== undefined) {
    const known = PRISMA_CODES[code] ?? (SOCKET_CODES.has(code) ? "unavailable" : undefined);
    if (known) return known;
    if (/^[0-9A-Z]{5}$/.test(code) && sqlStateFailure(code)) return sqlStateFailure(code);
  }
  if (typeof value.originalCode === "string" && sqlStateFailure(value.originalCode)) {
    return sqlStateFailure(value.originalCode);
  }
  if (typeof value.kind === "string" && ADAPTER_KINDS[value.kind]) return ADAPTER_KINDS[value.kind];
  if (typeof value.message === "string" && CONNECTION_MESSAGES.test(value.message)) {
    return "unavailable";
  }
  return undefined;
}

/** The nested errors to look at: Prisma's `meta.driverAdapterError.cause`, `cause` chains. */
function nested(value: Record<string, unknown>): unknown[] {
  const meta = value.meta as Record<string, unknown> | undefined;
  return [meta?.driverAdapterError, value.cause];
}

/** The failure a database error stands for, or undefined for anything else (a bug: 500). */
export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  const pending: unknown[] = [error];
  // Bounded: cause chains are short, and a cyclic one must not loop.
  for (let seen = 0; pending.length > 0 && seen < 8; seen += 1) {
    const value = pending.shift();
    if (typeof value !== "object" || value === null) continue;
    const record = value as Record<string, unknown>;
    const failure = failureOf(record);
    if (failure) return failure;
    pending.push(...nested(record));
  }
  return undefined;
}
