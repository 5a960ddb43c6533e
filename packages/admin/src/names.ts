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

/** Case-insensitive equality, as GitLab compares usernames, emails and paths. */
export function sameText(value: string) {
  return { equals: value, mode: "insensitive" as const };
}
