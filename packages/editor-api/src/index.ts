export { type AccessRule, selfManagedAccessRule } from "./access.ts";
export { type EditorApiOptions, editorApi } from "./editor-api.ts";
export { createGatewayDispatcher } from "./gateway/gateway-dispatcher.ts";
export { isGatewayTimeout } from "./gateway/gateway-failure.ts";
export { globalUserId, identityHeaders, type Realm } from "./gateway/gateway-identity.ts";
export { gatewayBaseUrl, gatewayTarget } from "./gateway/gateway-target.ts";
export type { GatewayTokenSource } from "./gateway/gateway-token.ts";
