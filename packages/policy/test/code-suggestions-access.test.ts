import { describe, expect, it } from "vitest";
import {
  accessCodeSuggestions,
  type GroupSettings,
  type Membership,
  rootGroupsOf,
  thirdPartyAiFeaturesEnabled,
} from "../src/code-suggestions-access.ts";

function group(id: number, settings: Partial<GroupSettings> = {}): GroupSettings {
  return {
    id,
    fullPath: `group-${id}`,
    codeSuggestions: true,
    thirdPartyAiFeaturesEnabled: true,
    ...settings,
  };
}

function memberOf(...groups: GroupSettings[]): Membership[] {
  return groups.map((g) => ({ group: g, root: null }));
}

describe("access_code_suggestions", () => {
  // GitLab's truth table (ee/spec/policies/global_policy_spec.rb) for a user in two root groups.
  it.each([
    { user: true, first: true, second: true, allowed: true },
    { user: true, first: true, second: false, allowed: false },
    { user: true, first: false, second: true, allowed: false },
    { user: true, first: false, second: false, allowed: false },
    { user: false, first: true, second: true, allowed: false },
    { user: false, first: true, second: false, allowed: false },
    { user: false, first: false, second: true, allowed: false },
    { user: false, first: false, second: false, allowed: false },
  ])("user $user, groups $first/$second → allowed $allowed", ({ user, first, second, allowed }) => {
    const decision = accessCodeSuggestions({
      codeSuggestions: user,
      memberships: memberOf(
        group(1, { codeSuggestions: first }),
        group(2, { codeSuggestions: second }),
      ),
    });
    expect(decision.allowed).toBe(allowed);
  });

  it.each([
    { user: true, allowed: true },
    { user: false, allowed: false },
  ])("a user without groups is decided by the preference alone ($user)", ({ user, allowed }) => {
    expect(accessCodeSuggestions({ codeSuggestions: user, memberships: [] }).allowed).toBe(allowed);
  });

  it("says why it denied: the preference first, then the group that is off", () => {
    const off = group(7, { fullPath: "acme", codeSuggestions: false });
    expect(
      accessCodeSuggestions({ codeSuggestions: false, memberships: memberOf(off) }),
    ).toMatchObject({
      allowed: false,
      reason: "user_code_suggestions_disabled",
    });
    expect(
      accessCodeSuggestions({ codeSuggestions: true, memberships: memberOf(off) }),
    ).toMatchObject({
      allowed: false,
      reason: "group_code_suggestions_disabled",
      detail: expect.stringContaining("acme"),
    });
  });

  it("counts a subgroup membership as membership of its root group", () => {
    const root = group(1, { codeSuggestions: false });
    const subgroup = group(2, { codeSuggestions: true });
    const decision = accessCodeSuggestions({
      codeSuggestions: true,
      memberships: [{ group: subgroup, root }],
    });
    expect(decision).toMatchObject({ allowed: false, reason: "group_code_suggestions_disabled" });
  });

  it("ignores a subgroup's own setting", () => {
    const root = group(1, { codeSuggestions: true });
    const subgroup = group(2, { codeSuggestions: false });
    expect(
      accessCodeSuggestions({ codeSuggestions: true, memberships: [{ group: subgroup, root }] })
        .allowed,
    ).toBe(true);
  });
});

describe("rootGroupsOf", () => {
  it("lists each root group once, whether reached directly or through subgroups", () => {
    const root = group(1);
    const roots = rootGroupsOf([
      { group: root, root: null },
      { group: group(2), root },
      { group: group(3), root },
      { group: group(4), root: null },
    ]);
    expect(roots.map((g) => g.id).sort()).toEqual([1, 4]);
  });
});

describe("third_party_ai_features_enabled claim", () => {
  it.each([
    { name: "no groups", memberships: [], expected: false },
    { name: "one root group allowing", memberships: memberOf(group(1)), expected: true },
    {
      name: "one root group refusing",
      memberships: memberOf(group(1, { thirdPartyAiFeaturesEnabled: false })),
      expected: false,
    },
    {
      name: "two root groups, one refusing",
      memberships: memberOf(group(1), group(2, { thirdPartyAiFeaturesEnabled: false })),
      expected: false,
    },
    { name: "two root groups allowing", memberships: memberOf(group(1), group(2)), expected: true },
    {
      name: "subgroup refusing under a root allowing",
      memberships: [{ group: group(2, { thirdPartyAiFeaturesEnabled: false }), root: group(1) }],
      expected: true,
    },
    {
      name: "subgroup under a root refusing",
      memberships: [{ group: group(2), root: group(1, { thirdPartyAiFeaturesEnabled: false }) }],
      expected: false,
    },
  ])("$name → $expected", ({ memberships, expected }) => {
    expect(thirdPartyAiFeaturesEnabled(memberships)).toBe(expected);
  });
});
