export {
  type ApplicationSettings,
  type ApplicationSettingsChanges,
  type ApplicationSettingsView,
  ensureApplicationSettings,
  readApplicationSettings,
  type SettingsDefaults,
  settingsView,
  updateApplicationSettings,
} from "./application-settings.ts";
export {
  deleteFeature,
  type FeatureView,
  featureUsers,
  listFeatures,
  loadFeatureSnapshot,
  refuseUnsupportedFeatureParameters,
  setFeature,
  toGates,
  UNSUPPORTED_FEATURE_PARAMETERS,
} from "./feature-flags.ts";
export { groupAccessLevel, MAINTAINER, OWNER } from "./group-access.ts";
export { listGroups } from "./group-list.ts";
export {
  findGroupMember,
  listGroupMembers,
  type MemberRecord,
  removeGroupMember,
  updateGroupMember,
} from "./group-membership.ts";
export {
  ACCESS_LEVELS,
  ADMINISTRATOR,
  addGroupMember,
  createGroup,
  findGroup,
  type GroupRecord,
  type GroupSettingsChanges,
  type MemberAdder,
  type NewGroup,
  updateGroup,
} from "./groups.ts";
export type { Page, PageRequest } from "./pagination.ts";
export {
  type CreatedToken,
  createPersonalAccessToken,
  findPersonalAccessToken,
  isActive,
  listPersonalAccessTokens,
  type NewToken,
  revokePersonalAccessToken,
  rotatePersonalAccessToken,
  type TokenRecord,
} from "./personal-access-tokens.ts";
export { createServiceAccount, type NewServiceAccount } from "./service-accounts.ts";
export {
  createUser,
  findUser,
  findUserByUsername,
  listUsers,
  type NewUser,
  setCodeSuggestionsPreference,
  setUserState,
  type UserActor,
  type UserChanges,
  type UserRecord,
  updateUser,
} from "./users.ts";
