import { findGroup, type GroupRecord, groupAccessLevel } from "@token-broker/admin";
import type { Principal } from "@token-broker/auth";
import type { PrismaClient } from "@token-broker/db";
import { BrokerError } from "@token-broker/errors";
import { Type } from "typebox";

/** `:id` is a numeric id or the URL-encoded full path ("parent%2Fchild"). */
export const GroupId = Type.String({ minLength: 1 });

/**
 * The group named by `:id` with the caller's access: administrators see every group, others
 * only the groups they belong to (GitLab answers 404 for a group one cannot see), and act
 * only with at least `minimum` access.
 */
export async function accessibleGroup(
  prisma: PrismaClient,
  principal: Principal,
  id: string,
  minimum = 0,
): Promise<GroupRecord> {
  const group = await findGroup(prisma, id);
  if (principal.user.admin) return group;
  const level = await groupAccessLevel(prisma, principal.user.id, group.id);
  if (level === 0) throw new BrokerError("not_found", "Group Not Found");
  if (level < minimum) throw new BrokerError("forbidden");
  return group;
}
