export { BrokerError } from "./broker-error.ts";
export { type ErrorCode, errorResponse } from "./catalogue.ts";
