import type { Scope } from "./scopes.ts";

export interface AuthenticatedUser {
  readonly id: number;
  readonly username: string;
  readonly admin: boolean;
}

export interface Principal {
  readonly user: AuthenticatedUser;
  readonly tokenId: number;
  readonly scopes: readonly string[];
}

/** Why a credential was refused. The HTTP mapping lives in one place, outside this package. */
export type AuthFailureReason =
  | "missing"
  | "malformed"
  | "unknown"
  | "expired"
  | "revoked"
  | "user_blocked"
  | "insufficient_scope";

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: Exclude<AuthFailureReason, "insufficient_scope"> }
  | {
      readonly ok: false;
      readonly reason: "insufficient_scope";
      /** The scopes that would have been accepted. */
      readonly acceptedScopes: readonly Scope[];
    };

export type AuthFailure = Extract<AuthResult, { ok: false }>;
