import type { PrismaClient } from "@token-broker/db";
import { isWellFormedToken, type TokenDigester } from "./personal-access-token.ts";

export const ROOT_USERNAME = "root";
const INITIAL_ROOT_TOKEN_NAME = "initial root token";

/** Creates the `root` administrator on a new instance (as GitLab does on first start). */
export async function ensureRootUser(prisma: PrismaClient): Promise<{ id: number }> {
  return prisma.user.upsert({
    where: { username: ROOT_USERNAME },
    create: {
      username: ROOT_USERNAME,
      email: "admin@example.com",
      name: "Administrator",
      admin: true,
    },
    update: {},
    select: { id: true },
  });
}

/**
 * Makes INITIAL_ROOT_TOKEN authenticate as root, an active administrator, with scope `api`.
 * Idempotent: the variable declares the token's state, so a restart re-activates it; remove
 * the variable to retire it. Only the digest is stored.
 */
export async function ensureInitialRootToken(
  prisma: PrismaClient,
  digest: TokenDigester,
  token: string,
): Promise<void> {
  if (!isWellFormedToken(token)) {
    throw new TypeError("INITIAL_ROOT_TOKEN must be glpat- followed by 20 URL-safe characters");
  }
  const root = await ensureRootUser(prisma);
  // The variable declares root's access, not only its token's: a root that blocked or
  // demoted itself (or was, by another administrator) is active and administrator again.
  await prisma.user.update({ where: { id: root.id }, data: { admin: true, state: "active" } });
  const state = { userId: root.id, scopes: ["api"], expiresAt: null, revokedAt: null };
  await prisma.personalAccessToken.upsert({
    where: { tokenDigest: digest(token) },
    create: { ...state, name: INITIAL_ROOT_TOKEN_NAME, tokenDigest: digest(token) },
    update: state,
  });
}
