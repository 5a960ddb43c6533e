import { startSaas, startSelfManaged } from "@token-broker/testing";

/** SaaS with a service account allowed to mint tokens for self-managed instances. */
export async function saasWithServiceAccount(env: Record<string, string> = {}) {
  const saas = await startSaas({ env });
  const { user, token } = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
  await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
    enabled: true,
    userId: user.id,
  });
  return { saas, serviceAccount: user, serviceToken: token };
}

/** A self-managed instance with code suggestions on and the service token stored. */
export async function configuredSelfManaged(
  saasUrl: string,
  serviceToken: string,
  env: Record<string, string> = {},
) {
  const selfManaged = await startSelfManaged(saasUrl, { env });
  await selfManaged.fixtures.settings({
    instanceLevelCodeSuggestionsEnabled: true,
    aiAccessToken: serviceToken,
  });
  return selfManaged;
}
