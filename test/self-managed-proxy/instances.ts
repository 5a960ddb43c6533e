import type { StartOptions } from "@token-broker/testing";
import { startSaas, startSelfManaged } from "../support/services.ts";

/** SaaS with a service account allowed to mint tokens for self-managed instances. */
export async function saasWithServiceAccount(options: StartOptions = {}) {
  const saas = await startSaas(options);
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
