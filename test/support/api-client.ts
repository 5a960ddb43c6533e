/** A minimal client for the administration API, to check exact statuses and bodies. */
export function apiClient(baseUrl: string, token?: string) {
  return async function call(
    method: string,
    path: string,
    options: {
      json?: unknown;
      form?: Record<string, string | string[]>;
      token?: string | null;
    } = {},
  ) {
    const headers = new Headers();
    const credential = options.token === undefined ? token : options.token;
    if (credential) headers.set("private-token", credential);
    let body: string | undefined;
    if (options.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(options.form)) {
        for (const item of Array.isArray(value) ? value : [value]) form.append(key, item);
      }
      body = form.toString();
    }
    const response = await fetch(`${baseUrl}/api/v4${path}`, { method, headers, body });
    const text = await response.text();
    // JSON.parse's answer stays loosely typed: the tests check it with assertions.
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  };
}

export type ApiCall = ReturnType<typeof apiClient>;
