import type { ErrorCode } from "./catalogue.ts";

/**
 * A refusal or failure with its catalogue code: what domain code throws, with no knowledge of
 * HTTP. The message is the catalogue's `detail` (shown only where GitLab's body names it).
 */
export class BrokerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, detail: string = code, options?: ErrorOptions) {
    super(detail, options);
    this.name = "BrokerError";
    this.code = code;
  }
}
