import { apiClient } from "../../support/api-client.ts";

/**
 * Sets the token flow up through the administration API, as an administrator would: on
 * SaaS a service account with an `ai_features` token and the instance-admin flag for it;
 * on self-managed the instance setting and that token. Returns a way to make editors.
 */
export async function setUpFlow(options: {
  saasUrl: string;
  saasRoot: string;
  selfManagedUrl: string;
  selfManagedRoot: string;
}) {
  const saas = apiClient(options.saasUrl, options.saasRoot);
  const selfManaged = apiClient(options.selfManagedUrl, options.selfManagedRoot);
  const expectStatus = (
    what: string,
    answer: { status: number; body: unknown },
    status: number,
  ) => {
    if (answer.status !== status) {
      throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body as Record<string, unknown>;
  };

  const bot = expectStatus(
    "SaaS service account",
    await saas("POST", "/users", {
      json: { username: "code-suggestions-bot", email: "bot@example.com", name: "Bot" },
    }),
    201,
  );
  const serviceToken = expectStatus(
    "SaaS service token",
    await saas("POST", `/users/${bot.id}/personal_access_tokens`, {
      json: { name: "self-managed", scopes: ["ai_features"] },
    }),
    201,
  ).token as string;
  expectStatus(
    "SaaS instance-admin flag",
    await saas("POST", "/features/code_suggestions_for_instance_admin_enabled", {
      json: { value: true, user: "code-suggestions-bot" },
    }),
    201,
  );
  expectStatus(
    "self-managed settings",
    await selfManaged("PUT", "/application/settings", {
      json: { instance_level_code_suggestions_enabled: true, ai_access_token: serviceToken },
    }),
    200,
  );

  let editors = 0;
  return {
    /** A self-managed user with an `api` token: the token and its id. */
    async editor(): Promise<{ token: string; tokenId: number }> {
      editors += 1;
      const user = expectStatus(
        "self-managed user",
        await selfManaged("POST", "/users", {
          json: { username: `editor${editors}`, email: `editor${editors}@example.com`, name: "E" },
        }),
        201,
      );
      const token = expectStatus(
        "self-managed user token",
        await selfManaged("POST", `/users/${user.id}/personal_access_tokens`, {
          json: { name: "editor", scopes: ["api"] },
        }),
        201,
      );
      return { token: token.token as string, tokenId: token.id as number };
    },
  };
}
