/** Request headers as Node gives them: a header sent more than once is an array. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A header's first value; undefined when it is absent. Every reader of a single-valued
 * header (credentials, proxy markers, SaaS's answer) takes the first value the same way.
 */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
