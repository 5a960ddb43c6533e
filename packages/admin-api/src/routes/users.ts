import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  createUser,
  findUser,
  listUsers,
  setCodeSuggestionsPreference,
  setUserState,
  updateUser,
} from "@token-broker/admin";
import { gitlabErrors, Id } from "@token-broker/instance";
import { Type } from "typebox";
import { ADMINISTRATORS, READ_SCOPES, READERS, WRITERS } from "../access.ts";
import { presentUser, UserEntity } from "../entities/user.ts";
import { PaginationQuery, pageRequest, setPaginationHeaders } from "../pagination.ts";

const UserId = Type.Object({ id: Id });
const tags = ["users"];

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;

  app.post(
    "/users",
    {
      schema: {
        summary: "Create a user (administrators)",
        tags,
        body: Type.Object({
          username: Type.String({ minLength: 1 }),
          email: Type.String({ minLength: 1 }),
          name: Type.String({ minLength: 1 }),
          password: Type.Optional(Type.String()),
          admin: Type.Optional(Type.Boolean()),
          skip_confirmation: Type.Optional(Type.Boolean()),
        }),
        response: { 201: UserEntity, ...gitlabErrors(400, 403, 409) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      const { username, email, name, password, admin } = request.body;
      const user = await createUser(prisma, { username, email, name, password, admin });
      return reply.code(201).send(presentUser(user, request.principal.user));
    },
  );

  app.get(
    "/users",
    {
      schema: {
        summary: "Find users by username",
        tags,
        querystring: Type.Object({ username: Type.Optional(Type.String()), ...PaginationQuery }),
        response: { 200: Type.Array(UserEntity) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const users = await listUsers(prisma, { username: request.query.username }, page);
      setPaginationHeaders(request, reply, page, users);
      return users.items.map((user) => presentUser(user, request.principal.user));
    },
  );

  app.get(
    "/users/:id",
    {
      schema: {
        summary: "Show a user",
        tags,
        params: UserId,
        response: { 200: UserEntity, ...gitlabErrors(404) },
      },
      config: READERS,
    },
    async (request) =>
      presentUser(await findUser(prisma, request.params.id), request.principal.user),
  );

  app.get(
    "/user",
    {
      schema: { summary: "The authenticated user", tags, response: { 200: UserEntity } },
      config: { scopes: [...READ_SCOPES, "read_user"] },
    },
    async (request) =>
      presentUser(await findUser(prisma, request.principal.user.id), request.principal.user),
  );

  app.put(
    "/users/:id",
    {
      schema: {
        summary: "Modify a user (administrators)",
        tags,
        params: UserId,
        body: Type.Object({
          username: Type.Optional(Type.String({ minLength: 1 })),
          email: Type.Optional(Type.String({ minLength: 1 })),
          name: Type.Optional(Type.String({ minLength: 1 })),
          password: Type.Optional(Type.String()),
          admin: Type.Optional(Type.Boolean()),
        }),
        response: { 200: UserEntity, ...gitlabErrors(400, 403, 404, 409) },
      },
      config: ADMINISTRATORS,
    },
    async (request) => {
      const { username, email, name, password, admin } = request.body;
      const user = await updateUser(
        prisma,
        request.params.id,
        {
          username,
          email,
          name,
          password,
          admin,
        },
        request.principal.user,
      );
      return presentUser(user, request.principal.user);
    },
  );

  for (const [action, state] of [
    ["block", "blocked"],
    ["unblock", "active"],
  ] as const) {
    app.post(
      `/users/:id/${action}`,
      {
        schema: {
          summary: `${action === "block" ? "Block" : "Unblock"} a user (administrators)`,
          tags,
          params: UserId,
          response: { 201: Type.Boolean(), ...gitlabErrors(400, 403, 404) },
        },
        config: ADMINISTRATORS,
      },
      async (request, reply) => {
        await setUserState(prisma, request.params.id, state, request.principal.user);
        return reply.code(201).send(true);
      },
    );
  }

  app.put(
    "/user/preferences",
    {
      schema: {
        summary: "Change the authenticated user's preferences",
        tags,
        body: Type.Object({ code_suggestions: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({ user_id: Type.Integer(), code_suggestions: Type.Boolean() }),
        },
      },
      config: WRITERS,
    },
    async (request) => {
      const { id } = request.principal.user;
      const { code_suggestions: enabled } = request.body;
      const user =
        enabled === undefined
          ? await findUser(prisma, id)
          : await setCodeSuggestionsPreference(prisma, id, enabled);
      return { user_id: user.id, code_suggestions: user.codeSuggestions };
    },
  );
};
