import type { ErrorCode, ValidationIssue } from "./catalogue.ts";

/**
 * A refusal or failure with its catalogue code: what domain code throws, with no knowledge of
 * HTTP. The message is the catalogue's `detail` (shown only where GitLab's body names it).
 */
export class BrokerError extends Error {
  readonly code: ErrorCode;
  /** What failed validation, for the bodies that list it (the AI gateway's 422). */
  readonly issues: readonly ValidationIssue[];

  constructor(
    code: ErrorCode,
    detail: string = code,
    options?: ErrorOptions & { issues?: readonly ValidationIssue[] },
  ) {
    super(detail, options);
    this.name = "BrokerError";
    this.code = code;
    this.issues = options?.issues ?? [];
  }
}
