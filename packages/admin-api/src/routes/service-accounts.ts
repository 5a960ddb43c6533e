import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { createServiceAccount } from "@token-broker/admin";
import { gitlabErrors } from "@token-broker/instance";
import { Type } from "typebox";
import { ADMINISTRATORS } from "../access.ts";
import { presentUser, UserEntity } from "../entities/user.ts";

/** GitLab's instance service accounts (16.1+): machine users only administrators create. */
export const serviceAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;
  const host = new URL(app.config.externalUrl).hostname;

  app.post(
    "/service_accounts",
    {
      schema: {
        summary:
          "Create a service account (administrators): no password, cannot sign in, added to groups by administrators only",
        tags: ["users"],
        body: Type.Object({
          name: Type.Optional(Type.String({ minLength: 1, description: "Service account user" })),
          username: Type.Optional(
            Type.String({ minLength: 1, description: "service_account_<random>" }),
          ),
          email: Type.Optional(
            Type.String({ minLength: 1, description: "<username>@noreply.<host>" }),
          ),
        }),
        response: { 201: UserEntity, ...gitlabErrors(400, 403, 409) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      const { name, username, email } = request.body;
      const account = await createServiceAccount(prisma, { name, username, email }, host);
      return reply.code(201).send(presentUser(account, request.principal.user));
    },
  );
};
