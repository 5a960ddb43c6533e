import type { PrismaClient } from "@token-broker/db";
import {
  type FeatureGateSnapshot,
  type FeatureGates,
  type FeatureState,
  featureState,
  KNOWN_FEATURE_FLAGS,
  userActor,
} from "@token-broker/policy";
import { invalid } from "./admin-error.ts";
import { type Page, type PageRequest, pageWindow } from "./pagination.ts";
import { findUserByUsername } from "./users.ts";

/** Flipper's gate names. */
export const BOOLEAN_GATE = "boolean";
export const ACTORS_GATE = "actors";

/** A feature as GitLab's Features API shows it. */
export interface FeatureView {
  readonly name: string;
  readonly state: FeatureState;
  readonly gates: ({ key: "boolean"; value: boolean } | { key: "actors"; value: string[] })[];
}

export function toGates(gates: readonly { key: string; value: string }[]): FeatureGates {
  return {
    boolean: gates.some((gate) => gate.key === BOOLEAN_GATE && gate.value === "true"),
    actors: new Set(gates.filter((gate) => gate.key === ACTORS_GATE).map((gate) => gate.value)),
  };
}

/** Every persisted feature with its gates, as the policy evaluates them. */
export async function loadFeatureSnapshot(prisma: PrismaClient): Promise<FeatureGateSnapshot> {
  const features = await prisma.feature.findMany({
    select: { key: true, gates: { select: { key: true, value: true } } },
  });
  return new Map(
    features.map((feature): [string, FeatureGates] => [feature.key, toGates(feature.gates)]),
  );
}

function view(name: string, gates: FeatureGates): FeatureView {
  const shown: FeatureView["gates"] = [{ key: "boolean", value: gates.boolean }];
  if (gates.actors.size > 0) shown.push({ key: "actors", value: [...gates.actors].sort() });
  return { name, state: featureState(gates), gates: shown };
}

function assertKnown(name: string): void {
  if (!KNOWN_FEATURE_FLAGS.some((flag) => flag.name === name)) {
    throw invalid(`Feature flag ${name} is not known`);
  }
}

/**
 * The actor parameters of GitLab's Features API this instance cannot honour: the policy
 * evaluates a flag for a user only. Each is refused, naming it: ignoring one would set the
 * flag for everyone when an administrator meant a narrow rollout. `key` selects a
 * percentage gate, which is not supported either.
 */
export const UNSUPPORTED_FEATURE_PARAMETERS = [
  "group",
  "namespace",
  "project",
  "repository",
  "feature_group",
  "key",
] as const;

export function refuseUnsupportedFeatureParameters(
  params: Readonly<Partial<Record<(typeof UNSUPPORTED_FEATURE_PARAMETERS)[number], unknown>>>,
): void {
  for (const name of UNSUPPORTED_FEATURE_PARAMETERS) {
    if (params[name] !== undefined) {
      throw invalid(`${name} is not supported: a feature flag is set globally or for users (user)`);
    }
  }
}

/**
 * The ids of the users a `user` parameter names: a username or several, comma-separated
 * (GitLab's form). An unknown username is 404, an empty list 400: never "for no one",
 * which would read as "for everyone".
 */
export async function featureUsers(prisma: PrismaClient, usernames: string): Promise<number[]> {
  const names = usernames
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw invalid("user is empty");
  const ids: number[] = [];
  for (const name of new Set(names)) ids.push((await findUserByUsername(prisma, name)).id);
  return ids;
}

/** One page of the features that were set, by name. */
export async function listFeatures(
  prisma: PrismaClient,
  page: PageRequest,
): Promise<Page<FeatureView>> {
  const [features, total] = await prisma.$transaction([
    prisma.feature.findMany({
      select: { key: true, gates: { select: { key: true, value: true } } },
      orderBy: { key: "asc" },
      ...pageWindow(page),
    }),
    prisma.feature.count(),
  ]);
  return { items: features.map((feature) => view(feature.key, toGates(feature.gates))), total };
}

/**
 * Flipper's semantics: enabling globally sets the boolean gate; disabling globally clears
 * every gate (the flag is then off for everyone, not back to its default); enabling or
 * disabling for users adds or removes those actors.
 */
export async function setFeature(
  prisma: PrismaClient,
  name: string,
  change: { enabled: boolean; userIds?: readonly number[] },
): Promise<FeatureView> {
  assertKnown(name);
  if (change.userIds !== undefined && change.userIds.length === 0) throw invalid("user is empty");
  await prisma.$transaction(async (tx) => {
    await tx.feature.upsert({ where: { key: name }, create: { key: name }, update: {} });
    if (change.userIds !== undefined) {
      for (const userId of change.userIds) {
        const actor = { featureKey: name, key: ACTORS_GATE, value: userActor(userId) };
        if (change.enabled) {
          await tx.featureGate.upsert({
            where: { featureKey_key_value: actor },
            create: actor,
            update: {},
          });
        } else {
          await tx.featureGate.deleteMany({ where: actor });
        }
      }
      return;
    }
    await tx.featureGate.deleteMany({
      where: change.enabled ? { featureKey: name, key: BOOLEAN_GATE } : { featureKey: name },
    });
    if (change.enabled) {
      await tx.featureGate.create({ data: { featureKey: name, key: BOOLEAN_GATE, value: "true" } });
    }
  });
  const snapshot = await loadFeatureSnapshot(prisma);
  return view(name, snapshot.get(name) ?? toGates([]));
}

/** Forgets a feature: it answers its default again. */
export async function deleteFeature(prisma: PrismaClient, name: string): Promise<void> {
  assertKnown(name);
  await prisma.feature.deleteMany({ where: { key: name } });
}
