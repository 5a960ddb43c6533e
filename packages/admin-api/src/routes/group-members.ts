import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  ACCESS_LEVELS,
  addGroupMember,
  findGroupMember,
  findUserByUsername,
  listGroupMembers,
  removeGroupMember,
  updateGroupMember,
} from "@token-broker/admin";
import { BrokerError } from "@token-broker/errors";
import { gitlabErrors, Id } from "@token-broker/instance";
import { Type } from "typebox";
import { READERS, WRITERS } from "../access.ts";
import { accessibleGroup, GroupId } from "../accessible-group.ts";
import { MemberEntity, presentMember } from "../entities/group.ts";
import { PaginationQuery, pageRequest, setPaginationHeaders } from "../pagination.ts";

const tags = ["groups"];
const AccessLevel = Type.Union(ACCESS_LEVELS.map((level) => Type.Literal(level)));
const MemberId = Type.Object({ id: GroupId, user_id: Id });

/**
 * GitLab's group members API. Who may change what is decided in packages/admin
 * (group-membership.ts), so the console and the API share one rule.
 */
export const groupMemberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;

  for (const [path, inherited] of [
    ["/groups/:id/members", false],
    ["/groups/:id/members/all", true],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          summary: inherited
            ? "List a group's members with those inherited from its ancestors (each user once, at their highest level)"
            : "List a group's own members",
          tags,
          params: Type.Object({ id: GroupId }),
          querystring: Type.Object(PaginationQuery),
          response: { 200: Type.Array(MemberEntity), ...gitlabErrors(404) },
        },
        config: READERS,
      },
      async (request, reply) => {
        const group = await accessibleGroup(prisma, request.principal, request.params.id);
        const page = pageRequest(request.query);
        const members = await listGroupMembers(prisma, group.id, { inherited }, page);
        setPaginationHeaders(request, reply, page, members);
        return members.items.map(presentMember);
      },
    );
  }

  app.get(
    "/groups/:id/members/:user_id",
    {
      schema: {
        summary: "Show a member of a group",
        tags,
        params: MemberId,
        response: { 200: MemberEntity, ...gitlabErrors(404) },
      },
      config: READERS,
    },
    async (request) => {
      const group = await accessibleGroup(prisma, request.principal, request.params.id);
      return presentMember(await findGroupMember(prisma, group.id, request.params.user_id));
    },
  );

  app.put(
    "/groups/:id/members/:user_id",
    {
      schema: {
        summary:
          "Change a member's access level (maintainers; to or from owner: owners; a service account: administrators); never demotes the last owner",
        tags,
        params: MemberId,
        body: Type.Object({ access_level: AccessLevel }),
        response: { 200: MemberEntity, ...gitlabErrors(400, 403, 404) },
      },
      config: WRITERS,
    },
    async (request) => {
      const group = await accessibleGroup(prisma, request.principal, request.params.id);
      const member = await updateGroupMember(
        prisma,
        group.id,
        request.params.user_id,
        request.body.access_level,
        request.principal.user,
      );
      return presentMember(member);
    },
  );

  app.post(
    "/groups/:id/members",
    {
      schema: {
        summary:
          "Add a member to a group (maintainers and owners; a service account: administrators)",
        tags,
        params: Type.Object({ id: GroupId }),
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
      const group = await accessibleGroup(prisma, request.principal, request.params.id);
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
        summary:
          "Remove a member (maintainers; an owner: owners), or leave (any member); never the last owner",
        tags,
        params: MemberId,
        response: { 204: Type.Null(), ...gitlabErrors(403, 404) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const group = await accessibleGroup(prisma, request.principal, request.params.id);
      await removeGroupMember(prisma, group.id, request.params.user_id, request.principal.user);
      return reply.code(204).send(null);
    },
  );
};
