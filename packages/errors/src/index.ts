export { BrokerError } from "./broker-error.ts";
export { type ErrorCode, errorResponse, type ValidationIssue } from "./catalogue.ts";
