import type { PrismaClient } from "@token-broker/db";

/** What authentication needs to know about a stored token and its owner. */
export interface StoredToken {
  readonly id: number;
  readonly scopes: readonly string[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly user: {
    readonly id: number;
    readonly username: string;
    readonly admin: boolean;
    readonly state: "active" | "blocked";
  };
}

export interface TokenStore {
  findByDigest(digest: string): Promise<StoredToken | null>;
}

interface TokenRow {
  id: number;
  scopes: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  user_id: number;
  username: string;
  admin: boolean;
  state: "active" | "blocked";
}

/** One query, on the unique index of token digests, joined with the owner. */
export function createPrismaTokenStore(prisma: PrismaClient): TokenStore {
  return {
    async findByDigest(digest) {
      const [row] = await prisma.$queryRaw<TokenRow[]>`
        SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
               u.id AS user_id, u.username, u.admin, u.state::text AS state
        FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_digest = ${digest}`;
      if (row === undefined) return null;
      return {
        id: row.id,
        scopes: row.scopes ?? [],
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
        lastUsedAt: row.last_used_at,
        user: { id: row.user_id, username: row.username, admin: row.admin, state: row.state },
      };
    },
  };
}
