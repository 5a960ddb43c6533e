import { MAX_ID, Prisma, type PrismaClient } from "@token-broker/db";
import { conflict, forbidden, invalid, notFound } from "./admin-error.ts";
import { groupAccessLevel, MAINTAINER, OWNER } from "./group-access.ts";
import { assertLength, idsIgnoringCase, isNamespacePath } from "./names.ts";

export const GROUP_SELECT = {
  id: true,
  name: true,
  path: true,
  fullPath: true,
  parentId: true,
  codeSuggestions: true,
  thirdPartyAiFeaturesEnabled: true,
  createdAt: true,
} as const;

export type GroupRecord = Prisma.GroupGetPayload<{ select: typeof GROUP_SELECT }>;

/** A member as GitLab's member entity shows it. */
export const MEMBER_SELECT = {
  accessLevel: true,
  createdAt: true,
  user: { select: { id: true, username: true, name: true, state: true } },
} as const;

/** GitLab's access levels. */
export const ACCESS_LEVELS = [10, 20, 30, 40, 50] as const;

export interface NewGroup {
  readonly name: string;
  readonly path: string;
  readonly parentId?: number | null;
  /** Its creator, who becomes its owner in the same transaction (none from the console). */
  readonly ownerId?: number;
}

export interface GroupSettingsChanges {
  readonly name?: string;
  readonly codeSuggestions?: boolean;
  readonly thirdPartyAiFeaturesEnabled?: boolean;
}

export async function createGroup(prisma: PrismaClient, group: NewGroup): Promise<GroupRecord> {
  if (group.name.trim() === "") throw invalid("name is invalid");
  assertLength("name", group.name);
  assertLength("path", group.path);
  if (!isNamespacePath(group.path)) throw invalid("path is invalid");
  const parent =
    group.parentId === undefined || group.parentId === null
      ? null
      : await prisma.group.findUnique({
          where: { id: group.parentId },
          select: { id: true, rootId: true, fullPath: true },
        });
  if (group.parentId != null && parent === null) throw notFound("Parent Group");
  const fullPath = parent === null ? group.path : `${parent.fullPath}/${group.path}`;
  // Unique ignoring case, as GitLab's routes (an index on lower(full_path) settles races).
  if ((await idsIgnoringCase(prisma, "full_path", fullPath)).length > 0) {
    throw conflict('Failed to save group {:path=>["has already been taken"]}');
  }
  return prisma.group
    .create({
      data: {
        name: group.name,
        path: group.path,
        fullPath,
        parentId: parent?.id ?? null,
        // Settings live on the top-level group; a subgroup points at it.
        rootId: parent === null ? null : (parent.rootId ?? parent.id),
        ...(group.ownerId === undefined
          ? {}
          : { members: { create: { userId: group.ownerId, accessLevel: OWNER } } }),
      },
      select: GROUP_SELECT,
    })
    .catch((error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        throw conflict('Failed to save group {:path=>["has already been taken"]}');
      }
      throw error;
    });
}

/** By numeric id or by full path ("parent/child"), as GitLab's `:id` accepts both. */
export async function findGroup(
  prisma: PrismaClient,
  idOrPath: string | number,
): Promise<GroupRecord> {
  const key = String(idOrPath);
  const numeric = /^\d+$/.test(key);
  if (numeric && Number(key) > MAX_ID) throw notFound("Group");
  const [id] = numeric ? [Number(key)] : await idsIgnoringCase(prisma, "full_path", key);
  const group =
    id === undefined
      ? null
      : await prisma.group.findUnique({ where: { id }, select: GROUP_SELECT });
  if (group === null) throw notFound("Group");
  return group;
}

export async function updateGroup(
  prisma: PrismaClient,
  idOrPath: string | number,
  changes: GroupSettingsChanges,
): Promise<GroupRecord> {
  if (changes.name !== undefined && changes.name.trim() === "") throw invalid("name is invalid");
  assertLength("name", changes.name);
  const group = await findGroup(prisma, idOrPath);
  return prisma.group.update({ where: { id: group.id }, data: changes, select: GROUP_SELECT });
}

/** Who adds a member: a user of the API, or an administrator (the console, as GitLab's Rails console). */
export interface MemberAdder {
  readonly admin: boolean;
  readonly id?: number;
}

export const ADMINISTRATOR: MemberAdder = { admin: true };

export async function addGroupMember(
  prisma: PrismaClient,
  idOrPath: string | number,
  userId: number,
  accessLevel: number,
  addedBy: MemberAdder,
) {
  if (!(ACCESS_LEVELS as readonly number[]).includes(accessLevel)) {
    throw invalid("access_level does not have a valid value");
  }
  const group = await findGroup(prisma, idOrPath);
  // Maintainers and owners add members; only owners add an owner (group-membership.ts: the
  // rules for changing and removing one).
  if (!addedBy.admin) {
    const level =
      addedBy.id === undefined ? 0 : await groupAccessLevel(prisma, addedBy.id, group.id);
    if (level < (accessLevel === OWNER ? OWNER : MAINTAINER)) throw forbidden();
  }
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { userType: true } });
  if (user === null) throw notFound("User");
  // A group's settings decide its members' code-suggestions tokens, and anyone may create a
  // group: were anyone able to add the service account of self-managed instances, anyone
  // could switch Code Suggestions off for them (docs/operations.md, Service accounts). Creating a group as the
  // service account itself makes it the owner (createGroup), which is not anyone else's doing.
  if (user.userType === "service_account" && !addedBy.admin) throw forbidden();
  if (await prisma.groupMember.count({ where: { groupId: group.id, userId } })) {
    throw conflict("Member already exists");
  }
  return prisma.groupMember.create({
    data: { groupId: group.id, userId, accessLevel },
    select: MEMBER_SELECT,
  });
}
