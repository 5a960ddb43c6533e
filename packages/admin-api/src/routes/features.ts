import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { deleteFeature, findUserByUsername, listFeatures, setFeature } from "@token-broker/admin";
import { gitlabErrors } from "@token-broker/instance";
import { Type } from "typebox";
import { ADMINISTRATORS } from "../access.ts";
import { FeatureEntity } from "../entities/feature.ts";
import { PaginationQuery, pageRequest, setPaginationHeaders } from "../pagination.ts";

const tags = ["features"];
const FeatureName = Type.Object({ name: Type.String({ pattern: "^[a-z0-9_]+$" }) });

/** GitLab's Features API (Flipper semantics), for administrators. */
export const featureRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;

  app.get(
    "/features",
    {
      schema: {
        summary: "List the features that were set",
        tags,
        querystring: Type.Object(PaginationQuery),
        response: { 200: Type.Array(FeatureEntity) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const features = await listFeatures(prisma, page);
      setPaginationHeaders(request, reply, page, features);
      return features.items;
    },
  );

  app.post(
    "/features/:name",
    {
      schema: {
        summary: "Enable or disable a feature, globally or for one user",
        tags,
        params: FeatureName,
        body: Type.Object({
          value: Type.Boolean({ description: "true or false (also as a string)" }),
          user: Type.Optional(
            Type.String({
              minLength: 1,
              description: "a username: change the flag for this user only",
            }),
          ),
        }),
        response: { 201: FeatureEntity, ...gitlabErrors(400, 403, 404) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      const { value, user } = request.body;
      const userId = user === undefined ? undefined : (await findUserByUsername(prisma, user)).id;
      return reply
        .code(201)
        .send(await setFeature(prisma, request.params.name, { enabled: value, userId }));
    },
  );

  app.delete(
    "/features/:name",
    {
      schema: {
        summary: "Remove a feature's gates: it answers its default again",
        tags,
        params: FeatureName,
        response: { 204: Type.Null(), ...gitlabErrors(400, 403) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      await deleteFeature(prisma, request.params.name);
      return reply.code(204).send(null);
    },
  );
};
