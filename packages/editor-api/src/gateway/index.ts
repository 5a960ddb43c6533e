// What talks to the AI gateway, without the routes (no Fastify): the health check, run by
// the console as well as the server, uses these.
export { createGatewayDispatcher } from "./gateway-dispatcher.ts";
export { isGatewayTimeout } from "./gateway-failure.ts";
export { globalUserId, identityHeaders, type Realm } from "./gateway-identity.ts";
export { gatewayBaseUrl, gatewayTarget } from "./gateway-target.ts";
