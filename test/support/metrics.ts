/** GET /-/metrics as Prometheus does (no credentials). */
export async function scrape(baseUrl: string) {
  const response = await fetch(`${baseUrl}/-/metrics`);
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    text: await response.text(),
  };
}

type Labels = Readonly<Record<string, string>>;

/** Every sample of `name` in Prometheus text format, with its labels. */
export function samples(text: string, name: string): { labels: Labels; value: number }[] {
  const found: { labels: Labels; value: number }[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key = "", value = ""] of (match[2] ?? "").matchAll(
      /(\w+)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key] = value;
    }
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

/** The value of the one sample of `name` whose labels include `labels` (undefined: none). */
export function sample(text: string, name: string, labels: Labels = {}): number | undefined {
  const matching = samples(text, name).filter((candidate) =>
    Object.entries(labels).every(([key, value]) => candidate.labels[key] === value),
  );
  if (matching.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
  return matching[0]?.value;
}
