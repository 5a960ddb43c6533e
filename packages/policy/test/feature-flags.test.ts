import { describe, expect, it } from "vitest";
import {
  CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED,
  CODE_SUGGESTIONS_TOKENS_API,
  type FeatureGates,
  featureState,
  isFeatureEnabled,
  userActor,
} from "../src/feature-flags.ts";

function gates(boolean: boolean, ...actors: string[]): FeatureGates {
  return { boolean, actors: new Set(actors) };
}

describe("feature flag evaluation", () => {
  it("answers the default of a flag that was never set", () => {
    const none = new Map<string, FeatureGates>();
    expect(isFeatureEnabled(CODE_SUGGESTIONS_TOKENS_API, none)).toBe(true);
    expect(isFeatureEnabled(CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED, none, userActor(1))).toBe(
      false,
    );
  });

  const flag = CODE_SUGGESTIONS_FOR_INSTANCE_ADMIN_ENABLED;
  it.each([
    { stored: gates(true), actor: undefined, enabled: true, why: "global gate, no actor" },
    { stored: gates(true), actor: "User:1", enabled: true, why: "global gate, any actor" },
    { stored: gates(false), actor: "User:1", enabled: false, why: "disabled" },
    { stored: gates(false, "User:1"), actor: "User:1", enabled: true, why: "listed actor" },
    { stored: gates(false, "User:1"), actor: "User:2", enabled: false, why: "other actor" },
    {
      stored: gates(false, "User:1"),
      actor: undefined,
      enabled: false,
      why: "actor gate, no actor",
    },
  ])("$why → $enabled", ({ stored, actor, enabled }) => {
    expect(isFeatureEnabled(flag, new Map([[flag.name, stored]]), actor)).toBe(enabled);
  });

  it("a persisted flag no longer answers its default (disabling a default-on flag turns it off)", () => {
    const snapshot = new Map([[CODE_SUGGESTIONS_TOKENS_API.name, gates(false)]]);
    expect(isFeatureEnabled(CODE_SUGGESTIONS_TOKENS_API, snapshot)).toBe(false);
  });

  it.each([
    { stored: gates(true), state: "on" },
    { stored: gates(true, "User:1"), state: "on" },
    { stored: gates(false, "User:1"), state: "conditional" },
    { stored: gates(false), state: "off" },
  ])("state of $stored.boolean with $stored.actors.size actors is $state", ({ stored, state }) => {
    expect(featureState(stored)).toBe(state);
  });
});
