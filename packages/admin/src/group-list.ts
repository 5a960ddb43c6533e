import type { Prisma, PrismaClient } from "@token-broker/db";
import { GROUP_SELECT, type GroupRecord, type MemberAdder } from "./groups.ts";
import { type Page, type PageRequest, pageWindow } from "./pagination.ts";

/**
 * The groups a viewer can see: every group for an administrator; for others the groups they
 * are a member of and their descendants (membership is inherited downwards; GitLab answers
 * 404 for any other group, so none is listed).
 */
async function visibleGroups(
  prisma: PrismaClient,
  viewer: MemberAdder,
): Promise<Prisma.GroupWhereInput> {
  if (viewer.admin) return {};
  const memberships = await prisma.groupMember.findMany({
    where: { userId: viewer.id ?? -1 },
    select: { group: { select: { id: true, fullPath: true } } },
  });
  if (memberships.length === 0) return { id: { in: [] } };
  return {
    OR: [
      { id: { in: memberships.map(({ group }) => group.id) } },
      ...memberships.map(({ group }) => ({ fullPath: { startsWith: `${group.fullPath}/` } })),
    ],
  };
}

/**
 * One page of the groups a viewer can see, by name as GitLab orders them; `search` keeps
 * those whose name or full path contains it, ignoring case.
 */
export async function listGroups(
  prisma: PrismaClient,
  viewer: MemberAdder,
  filter: { search?: string },
  page: PageRequest,
): Promise<Page<GroupRecord>> {
  const search =
    filter.search === undefined || filter.search === ""
      ? {}
      : {
          OR: [
            { name: { contains: filter.search, mode: "insensitive" as const } },
            { fullPath: { contains: filter.search, mode: "insensitive" as const } },
          ],
        };
  const where = { AND: [await visibleGroups(prisma, viewer), search] };
  const [items, total] = await prisma.$transaction([
    prisma.group.findMany({
      where,
      select: GROUP_SELECT,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      ...pageWindow(page),
    }),
    prisma.group.count({ where }),
  ]);
  return { items, total };
}
