import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  deleteFeature,
  featureUsers,
  listFeatures,
  refuseUnsupportedFeatureParameters,
  setFeature,
} from "@token-broker/admin";
import { gitlabErrors } from "@token-broker/instance";
import { Type } from "typebox";
import { ADMINISTRATORS } from "../access.ts";
import { FeatureEntity } from "../entities/feature.ts";
import { PaginationQuery, pageRequest, setPaginationHeaders } from "../pagination.ts";

const tags = ["features"];
const Unsupported = Type.Optional(Type.Unknown({ description: "not supported: refused with 400" }));
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
        summary: "Enable or disable a feature, globally or for users",
        tags,
        params: FeatureName,
        body: Type.Object({
          value: Type.Boolean({ description: "true or false (also as a string)" }),
          user: Type.Optional(
            Type.String({
              minLength: 1,
              description: "a username, or several comma-separated: change the flag for them only",
            }),
          ),
          users: Type.Optional(Type.String({ minLength: 1, description: "the same as user" })),
          force: Type.Optional(Type.Boolean({ description: "accepted; changes nothing here" })),
          // GitLab's other actors (UNSUPPORTED_FEATURE_PARAMETERS): refused, never ignored.
          group: Unsupported,
          namespace: Unsupported,
          project: Unsupported,
          repository: Unsupported,
          feature_group: Unsupported,
          key: Unsupported,
        }),
        response: { 201: FeatureEntity, ...gitlabErrors(400, 403, 404) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      const { value, user, users } = request.body;
      refuseUnsupportedFeatureParameters(request.body);
      const named = [user, users].filter((list) => list !== undefined);
      const userIds = named.length === 0 ? undefined : await featureUsers(prisma, named.join(","));
      return reply
        .code(201)
        .send(await setFeature(prisma, request.params.name, { enabled: value, userIds }));
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
