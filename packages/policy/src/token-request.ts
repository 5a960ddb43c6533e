import { accessCodeSuggestions, type CodeSuggestionsSubject } from "./code-suggestions-access.ts";
import { allow, type Decision, deny } from "./decision.ts";
import {
  CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED,
  CODE_SUGGESTIONS_TOKENS_API,
  type FeatureGateSnapshot,
  isFeatureEnabled,
  userActor,
} from "./feature-flags.ts";

export interface SaasTokenRequest {
  readonly userId: number;
  readonly subject: CodeSuggestionsSubject;
  readonly proxied: boolean;
  readonly features: FeatureGateSnapshot;
}

/** SaaS's decision table after authentication, checked in order; the first failure answers. */
export function decideSaasTokenRequest(request: SaasTokenRequest): Decision {
  if (!isFeatureEnabled(CODE_SUGGESTIONS_TOKENS_API, request.features)) {
    return deny("tokens_api_disabled", `feature flag ${CODE_SUGGESTIONS_TOKENS_API.name} is off`);
  }
  const access = accessCodeSuggestions(request.subject);
  if (!access.allowed) return access;
  if (
    request.proxied &&
    !isFeatureEnabled(
      CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED,
      request.features,
      userActor(request.userId),
    )
  ) {
    return deny(
      "instance_admin_flag_disabled",
      `feature flag ${CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED.name} is off for this user`,
    );
  }
  return allow;
}

export interface SelfManagedTokenRequest {
  readonly features: FeatureGateSnapshot;
  readonly instanceLevelCodeSuggestionsEnabled: boolean;
  readonly aiAccessTokenSet: boolean;
  readonly proxied: boolean;
}

/** The self-managed decision table after authentication; passing it means "proxy to SaaS". */
export function decideSelfManagedTokenRequest(request: SelfManagedTokenRequest): Decision {
  if (!isFeatureEnabled(CODE_SUGGESTIONS_TOKENS_API, request.features)) {
    return deny("tokens_api_disabled", `feature flag ${CODE_SUGGESTIONS_TOKENS_API.name} is off`);
  }
  if (!request.instanceLevelCodeSuggestionsEnabled) {
    return deny(
      "instance_code_suggestions_disabled",
      "instance setting instance_level_code_suggestions_enabled is off",
    );
  }
  if (!request.aiAccessTokenSet) {
    return deny("ai_access_token_missing", "instance setting ai_access_token is not set");
  }
  if (request.proxied) {
    return deny("proxy_loop", "the request was already proxied by a self-managed instance");
  }
  return allow;
}
