export { type AccessRule, selfManagedAccessRule } from "./access.ts";
export { type EditorApiOptions, editorApi } from "./editor-api.ts";
export { globalUserId, type Realm } from "./gateway/gateway-identity.ts";
export type { GatewayTokenSource } from "./gateway/gateway-token.ts";
