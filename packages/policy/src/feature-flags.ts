/**
 * Feature flags with Flipper's semantics, as GitLab evaluates them:
 * - a flag that was never set (not persisted) answers its default;
 * - once persisted, the boolean gate turns it on for everyone, otherwise it is on only
 *   for the actors listed ("User:12").
 */

export interface FeatureFlagDefinition {
  readonly name: string;
  readonly defaultEnabled: boolean;
}

export const CODE_SUGGESTIONS_TOKENS_API: FeatureFlagDefinition = {
  name: "code_suggestions_tokens_api",
  defaultEnabled: true,
};

export const CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED: FeatureFlagDefinition = {
  name: "code_suggestions_for_instance_admin_enabled",
  defaultEnabled: false,
};

export const KNOWN_FEATURE_FLAGS: readonly FeatureFlagDefinition[] = [
  CODE_SUGGESTIONS_TOKENS_API,
  CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED,
];

/** The stored gates of one persisted feature. */
export interface FeatureGates {
  readonly boolean: boolean;
  readonly actors: ReadonlySet<string>;
}

/** Persisted features by name; a name absent here was never set. */
export type FeatureGateSnapshot = ReadonlyMap<string, FeatureGates>;

export type FeatureState = "on" | "off" | "conditional";

export function userActor(userId: number): string {
  return `User:${userId}`;
}

export function isFeatureEnabled(
  flag: FeatureFlagDefinition,
  snapshot: FeatureGateSnapshot,
  actor?: string,
): boolean {
  const gates = snapshot.get(flag.name);
  if (gates === undefined) return flag.defaultEnabled;
  if (gates.boolean) return true;
  return actor !== undefined && gates.actors.has(actor);
}

export function featureState(gates: FeatureGates): FeatureState {
  if (gates.boolean) return "on";
  return gates.actors.size > 0 ? "conditional" : "off";
}
