import type { PrismaClient } from "@token-broker/db";
import { type FeatureGateSnapshot, KNOWN_FEATURE_FLAGS, userActor } from "@token-broker/policy";
import type { FastifyRequest } from "fastify";
import type { MercuriusContext } from "mercurius";
import type { Availability } from "../access.ts";

/**
 * What the language server asks (docs/editors.md): the current user, whether Code
 * Suggestions (and Duo Chat, which this product has not) are available, the instance's
 * feature flags, and a project's Duo setting (there are no projects here).
 */
export const SCHEMA = `
  type Query {
    currentUser: CurrentUser
    featureFlagEnabled(name: String!): Boolean!
    project(fullPath: ID!): Project
  }

  type CurrentUser {
    id: ID!
    username: String!
    name: String!
    duoCodeSuggestionsAvailable: Boolean!
    duoChatAvailable: Boolean!
  }

  type Project {
    duoFeaturesEnabled: Boolean
  }
`;

declare module "mercurius" {
  interface MercuriusContext {
    /** What the resolvers read, for the request being answered. */
    editor: GraphqlContext;
  }
}

export interface GraphqlContext {
  readonly request: FastifyRequest;
  readonly prisma: PrismaClient;
  readonly features: () => Promise<FeatureGateSnapshot>;
  readonly availability: () => Promise<Availability>;
}

const MAX_FLAG_NAME = 255;

/** A flag as Flipper answers for this user: its gates once set, else its default (unknown: off). */
function flagEnabled(name: string, snapshot: FeatureGateSnapshot, userId: number): boolean {
  const gates = snapshot.get(name);
  if (gates !== undefined) return gates.boolean || gates.actors.has(userActor(userId));
  return KNOWN_FEATURE_FLAGS.find((flag) => flag.name === name)?.defaultEnabled ?? false;
}

export const RESOLVERS = {
  Query: {
    currentUser: (_root: unknown, _args: unknown, { editor: { request } }: MercuriusContext) => ({
      user: request.principal.user,
    }),
    featureFlagEnabled: async (
      _root: unknown,
      { name }: { name: string },
      { editor: { request, features } }: MercuriusContext,
    ) =>
      name.length <= MAX_FLAG_NAME &&
      flagEnabled(name, await features(), request.principal.user.id),
    project: () => null,
  },
  CurrentUser: {
    id: ({ user }: { user: { id: number } }) => `gid://gitlab/User/${user.id}`,
    username: ({ user }: { user: { username: string } }) => user.username,
    name: async (
      { user }: { user: { id: number; username: string } },
      _args: unknown,
      { editor: { prisma } }: MercuriusContext,
    ) => {
      const row = await prisma.user.findUnique({ where: { id: user.id }, select: { name: true } });
      return row?.name ?? user.username;
    },
    duoCodeSuggestionsAvailable: async (
      _user: unknown,
      _args: unknown,
      { editor: { availability } }: MercuriusContext,
    ) => (await availability()) === "available",
    duoChatAvailable: () => false,
  },
};
