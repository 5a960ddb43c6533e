import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { createGroup, listGroups, MAINTAINER, OWNER, updateGroup } from "@token-broker/admin";
import { gitlabErrors, Id } from "@token-broker/instance";
import { Type } from "typebox";
import { READERS, WRITERS } from "../access.ts";
import { accessibleGroup, GroupId as GroupIdParam } from "../accessible-group.ts";
import { GroupEntity, presentGroup } from "../entities/group.ts";
import { PaginationQuery, pageRequest, setPaginationHeaders } from "../pagination.ts";

const tags = ["groups"];
const GroupId = Type.Object({ id: GroupIdParam });

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
      const group = await createGroup(prisma, {
        name,
        path,
        parentId,
        ownerId: principal.user.id,
      });
      return reply.code(201).send(presentGroup(group));
    },
  );

  app.get(
    "/groups",
    {
      schema: {
        summary:
          "List the groups the caller can see (administrators: all), by name; search filters by name or path",
        tags,
        querystring: Type.Object({
          search: Type.Optional(Type.String({ maxLength: 255 })),
          ...PaginationQuery,
        }),
        response: { 200: Type.Array(GroupEntity) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const groups = await listGroups(
        prisma,
        request.principal.user,
        { search: request.query.search },
        page,
      );
      setPaginationHeaders(request, reply, page, groups);
      return groups.items.map(presentGroup);
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
};
