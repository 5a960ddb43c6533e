import type { Prisma, PrismaClient } from "@token-broker/db";
import { BrokerError } from "@token-broker/errors";
import { forbidden, invalid, notFound } from "./admin-error.ts";
import { groupAccessLevel, groupChain, MAINTAINER, OWNER } from "./group-access.ts";
import { ACCESS_LEVELS, findGroup, MEMBER_SELECT, type MemberAdder } from "./groups.ts";
import { type Page, type PageRequest, pageWindow } from "./pagination.ts";

/**
 * GitLab's rules for changing a membership (its group member policy):
 * - maintainers and owners (and administrators) manage members; only owners (and
 *   administrators) remove, demote or promote to an owner;
 * - any member may leave (remove itself);
 * - the last owner can be neither removed nor demoted, by anyone: a group needs an owner;
 * - only an administrator (or the account itself) changes a service account's membership,
 *   as only one may add it (groups.ts).
 * `actor` is the caller, or ADMINISTRATOR for the console.
 */
async function assertMayChange(
  prisma: Prisma.TransactionClient,
  groupId: number,
  member: { userId: number; accessLevel: number; userType: string },
  newLevel: number | undefined,
  actor: MemberAdder,
): Promise<void> {
  const leaving = newLevel === undefined && actor.id === member.userId;
  if (!actor.admin && !leaving) {
    const level = actor.id === undefined ? 0 : await groupAccessLevel(prisma, actor.id, groupId);
    const touchesOwner = member.accessLevel === OWNER || newLevel === OWNER;
    if (level < (touchesOwner ? OWNER : MAINTAINER)) throw forbidden();
    if (
      newLevel !== undefined &&
      member.userType === "service_account" &&
      actor.id !== member.userId
    ) {
      throw forbidden();
    }
  }
  const demoted = newLevel === undefined || newLevel < OWNER;
  if (
    member.accessLevel === OWNER &&
    demoted &&
    !(await otherOwnerRemains(prisma, groupId, member.userId))
  ) {
    throw new BrokerError("group_needs_owner", "A group must have at least one owner");
  }
}

/**
 * Whether the group keeps an owner without this member's own membership: another owner of
 * it or of an ancestor (ownership is inherited), or this user as an ancestor's owner.
 */
async function otherOwnerRemains(
  prisma: Prisma.TransactionClient,
  groupId: number,
  userId: number,
): Promise<boolean> {
  const chain = await groupChain(prisma, groupId);
  const owners = await prisma.groupMember.count({
    where: {
      groupId: { in: chain },
      accessLevel: OWNER,
      NOT: { groupId, userId },
    },
  });
  return owners > 0;
}

async function directMembership(prisma: Prisma.TransactionClient, groupId: number, userId: number) {
  const member = await prisma.groupMember.findUnique({
    where: { groupId_userId: { groupId, userId } },
    select: { accessLevel: true, user: { select: { userType: true } } },
  });
  if (member === null) throw notFound("Member");
  return { userId, accessLevel: member.accessLevel, userType: member.user.userType };
}

/**
 * Runs a membership change of a group with its hierarchy locked: whether an owner remains
 * depends on the memberships of the group and its ancestors, so two owners leaving at once
 * must not both see the other stay. The top-level group's row is the lock.
 */
async function withHierarchyLocked<T>(
  prisma: PrismaClient,
  groupId: number,
  change: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    const root = (await groupChain(tx, groupId)).at(-1) ?? groupId;
    await tx.$queryRaw`SELECT id FROM groups WHERE id = ${root} FOR UPDATE`;
    return change(tx);
  });
}

export async function removeGroupMember(
  prisma: PrismaClient,
  idOrPath: string | number,
  userId: number,
  actor: MemberAdder,
): Promise<void> {
  const group = await findGroup(prisma, idOrPath);
  await withHierarchyLocked(prisma, group.id, async (tx) => {
    const member = await directMembership(tx, group.id, userId);
    await assertMayChange(tx, group.id, member, undefined, actor);
    await tx.groupMember.deleteMany({ where: { groupId: group.id, userId } });
  });
}

export async function updateGroupMember(
  prisma: PrismaClient,
  idOrPath: string | number,
  userId: number,
  accessLevel: number,
  actor: MemberAdder,
) {
  if (!(ACCESS_LEVELS as readonly number[]).includes(accessLevel)) {
    throw invalid("access_level does not have a valid value");
  }
  const group = await findGroup(prisma, idOrPath);
  return withHierarchyLocked(prisma, group.id, async (tx) => {
    const member = await directMembership(tx, group.id, userId);
    await assertMayChange(tx, group.id, member, accessLevel, actor);
    return tx.groupMember.update({
      where: { groupId_userId: { groupId: group.id, userId } },
      data: { accessLevel },
      select: MEMBER_SELECT,
    });
  });
}

export async function findGroupMember(
  prisma: PrismaClient,
  idOrPath: string | number,
  userId: number,
) {
  const group = await findGroup(prisma, idOrPath);
  const member = await prisma.groupMember.findUnique({
    where: { groupId_userId: { groupId: group.id, userId } },
    select: MEMBER_SELECT,
  });
  if (member === null) throw notFound("Member");
  return member;
}

export type MemberRecord = Awaited<ReturnType<typeof findGroupMember>>;

/**
 * One page of a group's members by user id: its own (`inherited: false`), or also those of
 * its ancestors, each user once with their highest access level (GitLab's `members/all`).
 */
export async function listGroupMembers(
  prisma: PrismaClient,
  idOrPath: string | number,
  { inherited }: { inherited: boolean },
  page: PageRequest,
): Promise<Page<MemberRecord>> {
  const group = await findGroup(prisma, idOrPath);
  const where = { groupId: { in: inherited ? await groupChain(prisma, group.id) : [group.id] } };
  const [items, users] = await prisma.$transaction([
    prisma.groupMember.findMany({
      where,
      select: MEMBER_SELECT,
      // The first row of each user is their highest level (Prisma's distinct keeps the first).
      orderBy: [{ userId: "asc" }, { accessLevel: "desc" }],
      distinct: ["userId"],
      ...pageWindow(page),
    }),
    prisma.groupMember.groupBy({ by: ["userId"], where, orderBy: { userId: "asc" } }),
  ]);
  return { items, total: users.length };
}
