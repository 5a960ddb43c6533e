const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "24h", "90m", "30s", "1d" or a bare number of seconds, in seconds; undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})\s*([smhd]?)$/.exec(text.trim());
  if (match === null) return undefined;
  const [, amount = "", unit = ""] = match;
  return Number(amount) * (UNIT_SECONDS[unit] ?? 1);
}

/** A duration for people: "24h", "1h 30m", "45s". */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of [
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(" ");
}
