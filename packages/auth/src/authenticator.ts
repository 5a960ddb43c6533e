import type { AuthResult } from "./authentication-result.ts";
import type { Credential } from "./credentials.ts";
import { isWellFormedToken, type TokenDigester } from "./personal-access-token.ts";
import type { Scope } from "./scopes.ts";
import type { StoredToken, TokenStore } from "./token-store.ts";

export interface AuthenticatorOptions {
  readonly tokens: TokenStore;
  readonly digest: TokenDigester;
  /** Told of every successful authentication (to record last use). */
  readonly onAuthenticated?: (token: StoredToken, now: Date) => void;
  readonly now?: () => Date;
}

export type Authenticate = (
  credential: Credential | undefined,
  acceptedScopes: readonly Scope[],
) => Promise<AuthResult>;

/**
 * Turns a credential into a principal or a typed failure, with GitLab's order of checks:
 * expired, then revoked, then the owner's state, then scopes.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const now = options.now ?? (() => new Date());
  return async (credential, acceptedScopes) => {
    if (credential === undefined) return { ok: false, reason: "missing" };
    // A token that cannot exist costs no database query.
    if (!isWellFormedToken(credential.token)) return { ok: false, reason: "malformed" };
    const token = await options.tokens.findByDigest(options.digest(credential.token));
    if (token === null) return { ok: false, reason: "unknown" };
    const at = now();
    if (token.expiresAt !== null && token.expiresAt.getTime() <= at.getTime()) {
      return { ok: false, reason: "expired" };
    }
    if (token.revokedAt !== null) return { ok: false, reason: "revoked" };
    if (token.user.state !== "active") return { ok: false, reason: "user_blocked" };
    if (!acceptedScopes.some((scope) => token.scopes.includes(scope))) {
      return { ok: false, reason: "insufficient_scope", acceptedScopes };
    }
    options.onAuthenticated?.(token, at);
    const { id, username, admin } = token.user;
    return {
      ok: true,
      principal: { user: { id, username, admin }, tokenId: token.id, scopes: token.scopes },
    };
  };
}
