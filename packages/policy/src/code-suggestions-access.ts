import { allow, type Decision, deny } from "./decision.ts";

export interface GroupSettings {
  readonly id: number;
  readonly fullPath: string;
  readonly codeSuggestions: boolean;
  readonly thirdPartyAiFeaturesEnabled: boolean;
}

/** A membership, with the top-level group of the group (null when it is top-level itself). */
export interface Membership {
  readonly group: GroupSettings;
  readonly root: GroupSettings | null;
}

export interface CodeSuggestionsSubject {
  /** The user's own preference. */
  readonly codeSuggestions: boolean;
  readonly memberships: readonly Membership[];
}

/**
 * The top-level groups a user belongs to. Settings live on the root group: membership of
 * a subgroup counts as membership of its root, and the subgroup's own settings are ignored.
 */
export function rootGroupsOf(memberships: readonly Membership[]): GroupSettings[] {
  const roots = new Map<number, GroupSettings>();
  for (const { group, root } of memberships) {
    const top = root ?? group;
    roots.set(top.id, top);
  }
  return [...roots.values()];
}

/** GitLab's `access_code_suggestions` policy on SaaS. */
export function accessCodeSuggestions(subject: CodeSuggestionsSubject): Decision {
  if (!subject.codeSuggestions) {
    return deny("user_code_suggestions_disabled", "the user turned code suggestions off");
  }
  const disabled = rootGroupsOf(subject.memberships).find((group) => !group.codeSuggestions);
  if (disabled !== undefined) {
    return deny(
      "group_code_suggestions_disabled",
      `top-level group ${disabled.fullPath} turned code suggestions off`,
    );
  }
  return allow;
}

/**
 * The `third_party_ai_features_enabled` claim: true only when the user has at least one
 * top-level group and every one of them allows third-party AI features.
 */
export function thirdPartyAiFeaturesEnabled(memberships: readonly Membership[]): boolean {
  const roots = rootGroupsOf(memberships);
  return roots.length > 0 && roots.every((group) => group.thirdPartyAiFeaturesEnabled);
}
