import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  type CreatedToken,
  createPersonalAccessToken,
  findPersonalAccessToken,
  listPersonalAccessTokens,
  revokePersonalAccessToken,
  rotatePersonalAccessToken,
  type TokenRecord,
} from "@token-broker/admin";
import { type Principal, SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import { gitlabErrors, Id } from "@token-broker/instance";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { ADMINISTRATORS, READERS, WRITERS } from "../access.ts";
import {
  NewPersonalAccessTokenEntity,
  PersonalAccessTokenEntity,
  presentToken,
} from "../entities/personal-access-token.ts";
import { PaginationQuery, pageRequest, setPaginationHeaders } from "../pagination.ts";

const tags = ["personal_access_tokens"];
/** `:id` is a token id, or `self` for the token making the request. */
const TokenId = Type.Object({
  id: Type.Union([Type.Literal("self"), Id]),
});
const ExpiresAt = Type.Optional(Type.String({ format: "date", description: "YYYY-MM-DD" }));

/**
 * A new token in plain text, shown once: no cache (a proxy's, a browser's) may keep the
 * answer, as the token endpoint's (docs/token-api.md).
 */
function sendCreated(reply: FastifyReply, status: 200 | 201, { record, token }: CreatedToken) {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .send({ ...presentToken(record), token });
}

/** The token named by `:id`, if the caller may see it: its owner or an administrator. */
async function visibleToken(
  prisma: Parameters<typeof findPersonalAccessToken>[0],
  principal: Principal,
  id: "self" | number,
): Promise<TokenRecord> {
  const token = await findPersonalAccessToken(prisma, id === "self" ? principal.tokenId : id);
  if (token.userId !== principal.user.id && !principal.user.admin)
    throw new BrokerError("not_found", "Personal Access Token Not Found");
  return token;
}

export const personalAccessTokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.database;

  app.post(
    "/users/:id/personal_access_tokens",
    {
      schema: {
        summary: "Create a personal access token for a user (administrators)",
        tags,
        params: Type.Object({ id: Id }),
        body: Type.Object({
          name: Type.String({ minLength: 1 }),
          scopes: Type.Array(Type.String(), { minItems: 1 }),
          expires_at: ExpiresAt,
        }),
        response: { 201: NewPersonalAccessTokenEntity, ...gitlabErrors(400, 403, 404) },
      },
      config: ADMINISTRATORS,
    },
    async (request, reply) => {
      const { name, scopes, expires_at: expiresAt } = request.body;
      const created = await createPersonalAccessToken(prisma, app.digestToken, {
        userId: request.params.id,
        name,
        scopes,
        expiresAt: expiresAt === undefined ? null : new Date(`${expiresAt}T00:00:00Z`),
      });
      return sendCreated(reply, 201, created);
    },
  );

  app.get(
    "/personal_access_tokens",
    {
      schema: {
        summary: "List personal access tokens (administrators: everyone's; others: their own)",
        tags,
        querystring: Type.Object({
          user_id: Type.Optional(Id),
          ...PaginationQuery,
        }),
        response: { 200: Type.Array(PersonalAccessTokenEntity) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const { user } = request.principal;
      const userId = user.admin ? request.query.user_id : user.id;
      const page = pageRequest(request.query);
      const tokens = await listPersonalAccessTokens(prisma, { userId }, page);
      setPaginationHeaders(request, reply, page, tokens);
      return tokens.items.map(presentToken);
    },
  );

  app.get(
    "/personal_access_tokens/self",
    {
      schema: {
        summary: "Show the personal access token making the request",
        tags,
        response: { 200: PersonalAccessTokenEntity },
      },
      // GitLab lets any token, whatever its scopes, see itself (the SaaS health check asks
      // with a service account's ai_features token).
      config: { scopes: SCOPES },
    },
    async (request) => presentToken(await visibleToken(prisma, request.principal, "self")),
  );

  app.get(
    "/personal_access_tokens/:id",
    {
      schema: {
        summary: "Show a personal access token (`self`: the one making the request)",
        tags,
        params: TokenId,
        response: { 200: PersonalAccessTokenEntity, ...gitlabErrors(404) },
      },
      config: READERS,
    },
    async (request) =>
      presentToken(await visibleToken(prisma, request.principal, request.params.id)),
  );

  app.delete(
    "/personal_access_tokens/:id",
    {
      schema: {
        summary: "Revoke a personal access token (`self`: the one making the request)",
        tags,
        params: TokenId,
        response: { 204: Type.Null(), ...gitlabErrors(400, 404) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const token = await visibleToken(prisma, request.principal, request.params.id);
      await revokePersonalAccessToken(prisma, token.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/personal_access_tokens/:id/rotate",
    {
      schema: {
        summary: "Rotate a personal access token: revoke it and return its successor",
        tags,
        params: TokenId,
        body: Type.Object({ expires_at: ExpiresAt }),
        response: { 200: NewPersonalAccessTokenEntity, ...gitlabErrors(400, 404) },
      },
      config: WRITERS,
    },
    async (request, reply) => {
      const token = await visibleToken(prisma, request.principal, request.params.id);
      const { expires_at: expiresAt } = request.body;
      const created = await rotatePersonalAccessToken(prisma, app.digestToken, token.id, {
        expiresAt: expiresAt === undefined ? null : new Date(`${expiresAt}T00:00:00Z`),
      });
      return sendCreated(reply, 200, created);
    },
  );
};
