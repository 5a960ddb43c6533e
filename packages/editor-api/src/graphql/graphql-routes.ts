import { STATUS_CODES } from "node:http";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError, errorResponse } from "@token-broker/errors";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { GraphQLError } from "graphql";
import mercurius from "mercurius";
import { Type } from "typebox";
import type { Availability } from "../access.ts";
import type { EditorContext } from "../editor-context.ts";
import { type GraphqlContext, RESOLVERS, SCHEMA } from "./graphql-schema.ts";

export const GRAPHQL_PATH = "/api/graphql";
/** The standard introspection query is 13 levels deep; the language server's, 2. */
const MAX_DEPTH = 15;
const MAX_QUERY_CHARACTERS = 10_000;
const MAX_TOKENS = 2_000;
const BODY_LIMIT = 32 * 1024;

const GraphqlRequest = Type.Object({
  query: Type.String({ minLength: 1, maxLength: MAX_QUERY_CHARACTERS }),
  operationName: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  variables: Type.Optional(
    Type.Union([
      Type.Record(Type.String({ maxLength: 255 }), Type.Unknown(), { maxProperties: 20 }),
      Type.Null(),
    ]),
  ),
});

const GraphqlError = Type.Object(
  { message: Type.String() },
  { additionalProperties: true, description: "a GraphQL error (locations, path)" },
);
const GraphqlErrors = Type.Object({ errors: Type.Array(GraphqlError) });
const GraphqlAnswer = Type.Object({
  data: Type.Optional(Type.Unknown()),
  errors: Type.Optional(Type.Array(GraphqlError)),
});

/** GitLab's GraphQL answer when the token is refused: a GraphQL error, not the REST body. */
const AUTH_FAILURES: Readonly<Record<string, [number, string]>> = {
  token_missing: [401, "Invalid token"],
  token_malformed: [401, "Invalid token"],
  token_unknown: [401, "Invalid token"],
  token_expired: [401, "Invalid token"],
  token_revoked: [401, "Invalid token"],
  user_blocked: [403, "Your account has been blocked."],
  insufficient_scope: [403, "Insufficient scope"],
};

interface GraphqlFailure {
  readonly statusCode?: number;
  readonly errors?: readonly GraphQLError[];
}

/** Errors of a resolver (a database failure, say) say nothing of their cause. */
function presentErrors(errors: readonly GraphQLError[], request: FastifyRequest) {
  return errors.map((error) => {
    if (error.originalError === undefined || error.originalError === null) {
      return { message: error.message, ...(error.locations ? { locations: error.locations } : {}) };
    }
    request.log.warn({ err: error.originalError, path: error.path }, "GraphQL resolver failed");
    return { message: "Internal server error", ...(error.path ? { path: error.path } : {}) };
  });
}

/**
 * `POST /api/graphql` on mercurius, through a route of its own: authenticated before the body
 * is read (as the REST API), the body's size, the query's length, tokens and depth bounded.
 */
export const graphqlRoutes: FastifyPluginAsyncTypebox<{ context: EditorContext }> = async (
  app,
  { context },
) => {
  await app.register(mercurius, {
    schema: SCHEMA,
    resolvers: RESOLVERS,
    routes: false,
    queryDepth: MAX_DEPTH,
    graphql: { parseOptions: { maxTokens: MAX_TOKENS } },
  });

  const { errorHandler } = app;
  const graphqlErrors = (
    error: FastifyError & GraphqlFailure,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    if (error instanceof BrokerError && AUTH_FAILURES[error.code] !== undefined) {
      const [status, message] = AUTH_FAILURES[error.code] as [number, string];
      request.log.info({ code: error.code }, "request refused");
      return reply.code(status).send({ errors: [{ message }] });
    }
    if (error.validation !== undefined) {
      // The body is not a GraphQL request (or over its bounds): said without quoting it.
      const field = error.validation[0]?.instancePath.split("/")[1] ?? "body";
      request.log.info({ code: "graphql_invalid", field }, "request refused");
      return reply.code(400).send({ errors: [{ message: `Invalid GraphQL request: ${field}` }] });
    }
    if (Array.isArray(error.errors)) {
      request.log.info({ code: "graphql_invalid" }, "request refused");
      return reply.code(400).send({ errors: presentErrors(error.errors, request) });
    }
    // Other refusals (a body that is not JSON, too large, NUL in it): the status says it all.
    const status =
      error instanceof BrokerError
        ? errorResponse(error.code, error.message).status
        : error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      request.log.info({ code: error.code }, "request refused");
      return reply
        .code(status)
        .send({ errors: [{ message: `${status} ${STATUS_CODES[status]}` }] });
    }
    // The rest (the database unreachable, say) as on every other route.
    return errorHandler.call(app, error, request, reply);
  };

  app.post(
    GRAPHQL_PATH,
    {
      bodyLimit: BODY_LIMIT,
      errorHandler: graphqlErrors,
      schema: {
        summary: "GraphQL: the queries the GitLab language server makes",
        tags: ["graphql"],
        body: GraphqlRequest,
        response: {
          200: GraphqlAnswer,
          400: GraphqlErrors,
          401: GraphqlErrors,
          403: GraphqlErrors,
        },
      },
      config: { scopes: CODE_SUGGESTIONS_SCOPES },
    },
    async (request, reply) => {
      let availability: Promise<Availability> | undefined;
      const editor: GraphqlContext = {
        request,
        prisma: app.database.prisma,
        features: () => app.featureSnapshot(),
        availability: () => {
          availability ??= context.availability(request);
          return availability;
        },
      };
      const { query, variables, operationName } = request.body;
      // Variables always given, so that mercurius checks them before executing.
      const result = await reply.graphql(
        query,
        { editor },
        variables ?? {},
        operationName ?? undefined,
      );
      return {
        ...(result.data === undefined ? {} : { data: result.data }),
        ...(result.errors ? { errors: presentErrors(result.errors, request) } : {}),
      };
    },
  );
};
