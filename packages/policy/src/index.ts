export {
  accessCodeSuggestions,
  type CodeSuggestionsSubject,
  type GroupSettings,
  type Membership,
  rootGroupsOf,
  thirdPartyAiFeaturesEnabled,
} from "./code-suggestions-access.ts";
export { allow, type Decision, type Denial, type DenialReason, deny } from "./decision.ts";
export {
  CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED,
  CODE_SUGGESTIONS_TOKENS_API,
  type FeatureFlagDefinition,
  type FeatureGateSnapshot,
  type FeatureGates,
  type FeatureState,
  featureState,
  isFeatureEnabled,
  KNOWN_FEATURE_FLAGS,
  userActor,
} from "./feature-flags.ts";
export {
  isProxiedRequest,
  type ProxyMarkers,
  proxyMarkers,
  SELF_MANAGED_REALM,
  WORKHORSE_USER_AGENT_PREFIX,
} from "./proxied-request.ts";
export { firstHeader, type RequestHeaders } from "./request-headers.ts";
export {
  decideSaasTokenRequest,
  decideSelfManagedTokenRequest,
  type SaasTokenRequest,
  type SelfManagedTokenRequest,
} from "./token-request.ts";
