/**
 * The demo, set up through the administration API as an administrator would (the dozen
 * manual steps of the original merge request), idempotently: a restart reuses what exists.
 */
import type { DevSecrets } from "./dev-secrets.ts";

const SERVICE_ACCOUNT = "code-suggestions-bot";
const DEVELOPER = "developer";

type Call = (
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; body: unknown }>;

function client(baseUrl: string, rootToken: string): Call {
  return async (method, path, body, token = rootToken) => {
    const response = await fetch(`${baseUrl}/api/v4${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

async function expectStatus<T>(call: ReturnType<Call>, status: number, what: string): Promise<T> {
  const response = await call;
  if (response.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as T;
}

async function ensureUser(call: Call, username: string, name: string): Promise<number> {
  const [existing] = await expectStatus<{ id: number }[]>(
    call("GET", `/users?username=${username}`),
    200,
    `find ${username}`,
  );
  if (existing) return existing.id;
  const created = await expectStatus<{ id: number }>(
    call("POST", "/users", {
      username,
      name,
      email: `${username}@example.com`,
      skip_confirmation: true,
    }),
    201,
    `create ${username}`,
  );
  return created.id;
}

/**
 * The SaaS service account (GitLab 16.1+): no password, and only an administrator may add it
 * to a group, so no SaaS user can give it a group's settings (operations.md §7).
 */
async function ensureServiceAccount(call: Call, username: string, name: string): Promise<number> {
  const [existing] = await expectStatus<{ id: number }[]>(
    call("GET", `/users?username=${username}`),
    200,
    `find ${username}`,
  );
  if (existing) return existing.id;
  const created = await expectStatus<{ id: number }>(
    call("POST", "/service_accounts", { username, name }),
    201,
    `create the service account ${username}`,
  );
  return created.id;
}

/** A token that still works, or a new one. */
async function ensureToken(
  call: Call,
  userId: number,
  current: string | undefined,
  scopes: string[],
) {
  if (
    current &&
    (await call("GET", "/personal_access_tokens/self", undefined, current)).status === 200
  ) {
    return current;
  }
  const created = await expectStatus<{ token: string }>(
    call("POST", `/users/${userId}/personal_access_tokens`, { name: "demo", scopes }),
    201,
    "create a token",
  );
  return created.token;
}

export async function setUpDemo(options: {
  saasUrl: string;
  selfManagedUrl: string;
  secrets: DevSecrets;
}): Promise<DevSecrets> {
  const { secrets } = options;
  const saas = client(options.saasUrl, secrets.saasRootToken);
  const selfManaged = client(options.selfManagedUrl, secrets.selfManagedRootToken);

  // SaaS: the service account that self-managed instances authenticate as, allowed to proxy.
  const botId = await ensureServiceAccount(
    saas,
    SERVICE_ACCOUNT,
    "Code Suggestions service account",
  );
  const serviceToken = await ensureToken(saas, botId, secrets.serviceToken, ["ai_features"]);
  await expectStatus(
    saas("POST", "/features/code_suggestions_for_instance_admin_enabled", {
      value: true,
      user: SERVICE_ACCOUNT,
    }),
    201,
    "enable code_suggestions_for_instance_admin_enabled",
  );

  // Self-managed: code suggestions on, the service token stored, a developer with a token.
  await expectStatus(
    selfManaged("PUT", "/application/settings", {
      instance_level_code_suggestions_enabled: true,
      ai_access_token: serviceToken,
    }),
    200,
    "store ai_access_token",
  );
  const developerId = await ensureUser(selfManaged, DEVELOPER, "Developer");
  // Editor extensions check the token for `api` and `read_user` before they use it.
  const developerToken = await ensureToken(selfManaged, developerId, secrets.developerToken, [
    "api",
    "read_user",
  ]);
  return { ...secrets, serviceToken, developerToken };
}
