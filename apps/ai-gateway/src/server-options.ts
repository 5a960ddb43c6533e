import { serverOptions } from "@token-broker/instance";
import type { Logger } from "pino";

/**
 * Two sides of 100,000 characters (up to 4 bytes each in UTF-8) and up to 100 context items:
 * the contract's limits fit in 4 MB; larger bodies get 413 before anything reads them.
 */
const BODY_LIMIT = 4 * 1024 * 1024;

/** The instances' server options, with the gateway's body limit and FastAPI-like validation. */
export function gatewayServerOptions(logger: Logger) {
  const options = serverOptions(logger);
  return {
    ...options,
    bodyLimit: BODY_LIMIT,
    // FastAPI lists every failed field; no type coercion of JSON bodies (a number is not a
    // file name), as pydantic's strict string fields.
    ajv: { customOptions: { allErrors: true, coerceTypes: false } },
  };
}
