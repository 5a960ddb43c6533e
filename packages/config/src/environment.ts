/**
 * Reading environment variables with messages that name the variable and what it expects,
 * so a misconfigured service stops at start with an answer instead of failing later.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigurationError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = "ConfigurationError";
    this.variable = variable;
  }
}

/** The variable's value, treating an empty string as unset. */
export function optional(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function integer(
  env: Environment,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw new ConfigurationError(
      name,
      `must be an integer from ${range.min} to ${range.max} (got "${raw}")`,
    );
  }
  return value;
}

/** An http(s) URL without a trailing slash. */
export function httpUrl(env: Environment, name: string, fallback: string): string {
  const raw = optional(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(name, `must be an http or https URL (got "${raw}")`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(name, `must be an http or https URL (got "${raw}")`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigurationError(name, "must not carry credentials, a query or a fragment");
  }
  return url.href.replace(/\/+$/, "");
}

export function oneOf<T extends string>(
  env: Environment,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = optional(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigurationError(name, `must be one of ${allowed.join(", ")} (got "${raw}")`);
  }
  return raw as T;
}
