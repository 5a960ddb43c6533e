import { Gitlab } from "@gitbeaker/rest";
import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import { setUpFlow } from "@token-broker/service-runner/setup";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EDITOR_DEFAULTS } from "./support/editor-settings.ts";
import { startSaas, startSelfManaged } from "./support/services.ts";
import { verifyCodeSuggestionsToken } from "./support/verify-token.ts";

const SAAS_ROOT = fixedToken("GitbeakerSaasRoot");
const SELF_MANAGED_ROOT = fixedToken("GitbeakerSmRoot");

/**
 * The whole set-up of the flow through a real GitLab API client, as an administrator would
 * script it: nothing here touches a database directly.
 */
describe("set up with @gitbeaker/rest, then a token through self-managed", () => {
  let saas: RunningService<SaasConfig>;
  let selfManaged: RunningService<SelfManagedConfig>;
  let developerApi: InstanceType<typeof Gitlab<false>>;
  let developerTokenId: number;

  beforeAll(async () => {
    saas = await startSaas({ env: { INITIAL_ROOT_TOKEN: SAAS_ROOT } });
    selfManaged = await startSelfManaged(saas.url, {
      env: { INITIAL_ROOT_TOKEN: SELF_MANAGED_ROOT },
    });

    // The one set-up of `pnpm dev`, the benchmark and the container smoke test, here with
    // a group for the service account, whose settings then decide the token's claims.
    const { developerToken } = await setUpFlow({
      saasUrl: saas.url,
      selfManagedUrl: selfManaged.url,
      saasRootToken: SAAS_ROOT,
      selfManagedRootToken: SELF_MANAGED_ROOT,
      serviceAccountGroup: { name: "Customers", path: "customers" },
    });
    developerTokenId = developerToken.id;
    developerApi = new Gitlab({ host: selfManaged.url, token: developerToken.token });
  });
  afterAll(async () => {
    await selfManaged?.close();
    await saas?.close();
  });

  it("shows the settings as GitLab does, without the stored token", async () => {
    const settings = await new Gitlab({
      host: selfManaged.url,
      token: SELF_MANAGED_ROOT,
    }).ApplicationSettings.show();
    expect(settings).toEqual({
      instance_level_code_suggestions_enabled: true,
      ai_access_token_set: true,
      ...EDITOR_DEFAULTS,
    });
  });

  it("gives the developer a SaaS-signed token for the self-managed realm", async () => {
    // gitbeaker hands back GitLab's wire format (snake_case).
    const token = (await developerApi.CodeSuggestions.createAccessToken()) as unknown as {
      access_token: string;
      expires_in: number;
      created_at: number;
    };
    expect(token.expires_in).toBe(3600);
    const { payload } = await verifyCodeSuggestionsToken(token.access_token, saas.url);
    expect(payload).toMatchObject({
      gitlab_realm: "self-managed",
      iat: token.created_at,
      // The service account's one root group allows third-party AI features.
      third_party_ai_features_enabled: true,
    });
  });

  it("stops accepting a rotated token on the next request, and accepts its successor", async () => {
    const rotated = await developerApi.PersonalAccessTokens.rotate(developerTokenId);
    await expect(developerApi.CodeSuggestions.createAccessToken()).rejects.toThrow(
      /Unauthorized|invalid_token|401/i,
    );
    developerApi = new Gitlab({ host: selfManaged.url, token: rotated.token });
    developerTokenId = rotated.id;
    expect(await developerApi.CodeSuggestions.createAccessToken()).toMatchObject({
      expires_in: 3600,
    });
  });

  it("stops accepting a revoked token on the next request", async () => {
    await developerApi.PersonalAccessTokens.remove({ tokenId: developerTokenId });
    await expect(developerApi.CodeSuggestions.createAccessToken()).rejects.toThrow(
      /Unauthorized|invalid_token|401/i,
    );
  });
});
