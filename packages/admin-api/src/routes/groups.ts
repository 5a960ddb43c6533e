import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  ACCESS_LEVELS,
  addGroupMember,
  createGroup,
  findGroup,
  findUserByUsername,
  type GroupRecord,
  groupAccessLevel,
  MAINTAINER,
  OWNER,
  removeGroupMember,
  updateGroup,
} from "@token-broker/admin";
import type { Principal } from "@token-broker/auth";
import type { PrismaClient } from "@token-broker/db";
import { BrokerError } from "@token-broker/errors";
import { gitlabErrors, Id } from "@token-broker/instance";
import { Type } from "typebox";
import { READERS, WRITERS } from "../access.ts";
import { GroupEntity, MemberEntity, presentGroup, presentMember } from "../entities/group.ts";

const tags = ["groups"];
/** `:id` is a numeric id or the URL-encoded full path ("parent%2Fchild"). */
const GroupId = Type.Object({ id: Type.String({ minLength: 1 }) });
const AccessLevel = Type.Union(ACCESS_LEVELS.map((level) => Type.Literal(level)));

/**
 * The group named by `:id` with the caller's access: administrators see every group, others
 * only the groups they belong to (GitLab answers 404 for a group one cannot see), and act
 * only with at least `minimum` access.
 */
async function accessibleGroup(
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

export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;

  app.post(
    "/groups",
    {
      schema: {
        summary: "Create a group, or a subgroup with parent_id (the creator becomes its owner)",
        tags,
        body: Type.Object({
          name: Type.String({ minLength: 1 }),
          path: Type.String({ minLength: 1 }),
          parent_id: Type.Optional(Id),
        }),
        response: { 201: GroupEntity, ...gitlabErrors(400, 403, 404, 409) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const { name, path, parent_id: parentId } = request.body;
      const { principal } = request;
      if (parentId !== undefined)
        await accessibleGroup(prisma, principal, String(parentId), MAINTAINER);
      const group = await createGroup(prisma, { name, path, parentId });
      await addGroupMember(prisma, group.id, principal.user.id, OWNER, principal.user);
      return reply.code(201).send(presentGroup(group));
    },
  );

  app.get(
    "/groups/:id",
    {
      schema: {
        summary: "Show a group",
        tags,
        params: GroupId,
        response: { 200: GroupEntity, ...gitlabErrors(404) },
      },
      config: READERS,
    },
    async (request) =>
      presentGroup(await accessibleGroup(prisma, request.principal, request.params.id)),
  );

  app.put(
    "/groups/:id",
    {
      schema: {
        summary: "Change a group's settings (owners; settings apply on top-level groups)",
        tags,
        params: GroupId,
        body: Type.Object({
          name: Type.Optional(Type.String({ minLength: 1 })),
          code_suggestions: Type.Optional(Type.Boolean()),
          third_party_ai_features_enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 200: GroupEntity, ...gitlabErrors(400, 403, 404) },
      },
      config: WRITERS,
    },
    async (request) => {
      const group = await accessibleGroup(prisma, request.principal, request.params.id, OWNER);
      const { name, code_suggestions, third_party_ai_features_enabled } = request.body;
      return presentGroup(
        await updateGroup(prisma, group.id, {
          name,
          codeSuggestions: code_suggestions,
          thirdPartyAiFeaturesEnabled: third_party_ai_features_enabled,
        }),
      );
    },
  );

  app.post(
    "/groups/:id/members",
    {
      schema: {
        summary:
          "Add a member to a group (maintainers and owners; a service account: administrators)",
        tags,
        params: GroupId,
        body: Type.Object({
          user_id: Type.Optional(Id),
          username: Type.Optional(Type.String({ minLength: 1, description: "instead of user_id" })),
          access_level: AccessLevel,
        }),
        response: { 201: MemberEntity, ...gitlabErrors(400, 403, 404, 409) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const { user_id, username, access_level: accessLevel } = request.body;
      if (user_id === undefined && username === undefined)
        throw new BrokerError("invalid", "user_id is missing");
      const userId = user_id ?? (await findUserByUsername(prisma, username ?? "")).id;
      // Only owners may make owners.
      const minimum = accessLevel === OWNER ? OWNER : MAINTAINER;
      const group = await accessibleGroup(prisma, request.principal, request.params.id, minimum);
      const member = await addGroupMember(
        prisma,
        group.id,
        userId,
        accessLevel,
        request.principal.user,
      );
      return reply.code(201).send(presentMember(member));
    },
  );

  app.delete(
    "/groups/:id/members/:user_id",
    {
      schema: {
        summary: "Remove a member from a group (maintainers and owners)",
        tags,
        params: Type.Object({
          id: Type.String({ minLength: 1 }),
          user_id: Id,
        }),
        response: { 204: Type.Null(), ...gitlabErrors(403, 404) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const group = await accessibleGroup(prisma, request.principal, request.params.id, MAINTAINER);
      await removeGroupMember(prisma, group.id, request.params.user_id);
      return reply.code(204).send(null);
    },
  );
};
