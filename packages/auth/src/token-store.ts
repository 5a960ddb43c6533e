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

/** One indexed lookup (unique token digest) joined with the owner. */
export function createPrismaTokenStore(prisma: PrismaClient): TokenStore {
  return {
    findByDigest: (digest) =>
      prisma.personalAccessToken.findUnique({
        where: { tokenDigest: digest },
        select: {
          id: true,
          scopes: true,
          expiresAt: true,
          revokedAt: true,
          lastUsedAt: true,
          user: { select: { id: true, username: true, admin: true, state: true } },
        },
      }),
  };
}
