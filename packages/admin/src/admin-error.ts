/** How an administrative operation was refused; the API maps it to GitLab's status codes. */
export type AdminErrorKind = "invalid" | "not_found" | "conflict";

export class AdminError extends Error {
  readonly kind: AdminErrorKind;

  constructor(kind: AdminErrorKind, message: string) {
    super(message);
    this.name = "AdminError";
    this.kind = kind;
  }
}

export const invalid = (message: string) => new AdminError("invalid", message);
export const notFound = (what: string) => new AdminError("not_found", `${what} Not Found`);
export const conflict = (message: string) => new AdminError("conflict", message);
