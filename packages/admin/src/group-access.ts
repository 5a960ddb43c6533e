import type { Prisma } from "@token-broker/db";

/** GitLab's access levels by name. */
export const OWNER = 50;
export const MAINTAINER = 40;

/** A group's id followed by its ancestors' ids, nearest first. */
export async function groupChain(
  prisma: Prisma.TransactionClient,
  groupId: number,
): Promise<number[]> {
  const chain: number[] = [];
  let next: number | null = groupId;
  while (next !== null && !chain.includes(next)) {
    chain.push(next);
    const group: { parentId: number | null } | null = await prisma.group.findUnique({
      where: { id: next },
      select: { parentId: true },
    });
    next = group?.parentId ?? null;
  }
  return chain;
}

/**
 * A user's access level on a group: the highest of their memberships of the group and of
 * its ancestors (membership is inherited downwards), or 0.
 */
export async function groupAccessLevel(
  prisma: Prisma.TransactionClient,
  userId: number,
  groupId: number,
): Promise<number> {
  const chain = await groupChain(prisma, groupId);
  const memberships = await prisma.groupMember.findMany({
    where: { userId, groupId: { in: chain } },
    select: { accessLevel: true },
  });
  return Math.max(0, ...memberships.map((membership) => membership.accessLevel));
}
