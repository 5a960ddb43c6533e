export type {
  AuthenticatedUser,
  AuthFailure,
  AuthFailureReason,
  AuthResult,
  Principal,
} from "./authentication-result.ts";
export {
  type Authenticate,
  type AuthenticatorOptions,
  createAuthenticator,
} from "./authenticator.ts";
export { ensureInitialRootToken, ensureRootUser, ROOT_USERNAME } from "./bootstrap.ts";
export {
  CREDENTIAL_HEADERS,
  type Credential,
  type CredentialSource,
  extractCredential,
  isCredentialParam,
} from "./credentials.ts";
export {
  createTokenDigester,
  generatePersonalAccessToken,
  isWellFormedToken,
  PAT_PREFIX,
  type TokenDigester,
} from "./personal-access-token.ts";
export { API_SCOPES, CODE_SUGGESTIONS_SCOPES, isScope, SCOPES, type Scope } from "./scopes.ts";
export { createPrismaTokenStore, type StoredToken, type TokenStore } from "./token-store.ts";
export {
  createTokenUsageRecorder,
  LAST_USED_INTERVAL_MS,
  type TokenUsageRecorder,
} from "./token-usage.ts";
