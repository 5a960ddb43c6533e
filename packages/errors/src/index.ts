export { BrokerError } from "./broker-error.ts";
export {
  ERROR_CATALOGUE,
  type ErrorCode,
  type ErrorResponse,
  errorResponse,
  type GitlabErrorBody,
} from "./catalogue.ts";
