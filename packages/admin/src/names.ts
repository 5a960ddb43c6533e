import type { PrismaClient } from "@token-broker/db";
import { invalid } from "./admin-error.ts";

/**
 * GitLab's rule for a namespace path, a username or a group's path
 * (`Gitlab::PathRegex.namespace_format_regex`): letters, digits, `_`, `-` and `.`; not
 * starting with `-`; not ending in `.` (so not `.` nor `..`); at most 255 characters;
 * and not ending in `.git` or `.atom`.
 */
const NAMESPACE_PATH = /^(?:[A-Za-z0-9_.][A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-]|[A-Za-z0-9_])$/;
const RESERVED_SUFFIX = /\.(?:git|atom)$/i;

/** GitLab's limit on names, usernames, paths and emails. */
export const MAX_NAME_LENGTH = 255;

export function isNamespacePath(path: string): boolean {
  return NAMESPACE_PATH.test(path) && !RESERVED_SUFFIX.test(path);
}

/** Rails' length validation, with its message. */
export function assertLength(field: string, value: string | undefined): void {
  if (value !== undefined && value.length > MAX_NAME_LENGTH) {
    throw invalid(`${field} is too long (maximum is ${MAX_NAME_LENGTH} characters)`);
  }
}

/**
 * The ids of the rows whose name equals `value` ignoring case, as GitLab compares usernames,
 * emails and group paths, by the unique indexes on lower(...) (migration
 * case_insensitive_names). Not Prisma's `mode: "insensitive"`: it compares with ILIKE, where
 * `_` and `%` in a name would match other names.
 */
export async function idsIgnoringCase(
  prisma: PrismaClient,
  name: "username" | "email" | "full_path",
  value: string,
): Promise<number[]> {
  const rows =
    name === "full_path"
      ? await prisma.$queryRaw<{ id: number }[]>`
          SELECT id FROM groups WHERE lower(full_path) = lower(${value})`
      : name === "email"
        ? await prisma.$queryRaw<{ id: number }[]>`
            SELECT id FROM users WHERE lower(email) = lower(${value})`
        : await prisma.$queryRaw<{ id: number }[]>`
            SELECT id FROM users WHERE lower(username) = lower(${value})`;
  return rows.map((row) => row.id);
}
