import { describe, expect, it } from "vitest";
import type { FeatureGates } from "../src/feature-flags.ts";
import { decideSaasTokenRequest, decideSelfManagedTokenRequest } from "../src/token-request.ts";

const USER_ID = 42;
const noFlags = new Map<string, FeatureGates>();
const tokensApiOff = new Map([
  ["code_suggestions_tokens_api", { boolean: false, actors: new Set<string>() }],
]);
const instanceAdminOnForUser = new Map([
  [
    "code_suggestions_for_instance_admin_enabled",
    { boolean: false, actors: new Set([`User:${USER_ID}`]) },
  ],
]);
const instanceAdminOnForOther = new Map([
  ["code_suggestions_for_instance_admin_enabled", { boolean: false, actors: new Set(["User:7"]) }],
]);

const allowedSubject = { codeSuggestions: true, memberships: [] };
const deniedSubject = { codeSuggestions: false, memberships: [] };

describe("SaaS decision table", () => {
  it.each([
    {
      why: "direct, defaults",
      features: noFlags,
      subject: allowedSubject,
      proxied: false,
      outcome: "allowed",
    },
    {
      why: "tokens API off",
      features: tokensApiOff,
      subject: allowedSubject,
      proxied: false,
      outcome: "tokens_api_disabled",
    },
    {
      why: "tokens API off wins over the policy",
      features: tokensApiOff,
      subject: deniedSubject,
      proxied: true,
      outcome: "tokens_api_disabled",
    },
    {
      why: "policy denies",
      features: noFlags,
      subject: deniedSubject,
      proxied: false,
      outcome: "user_code_suggestions_disabled",
    },
    {
      why: "policy wins over the instance-admin flag",
      features: noFlags,
      subject: deniedSubject,
      proxied: true,
      outcome: "user_code_suggestions_disabled",
    },
    {
      why: "proxied, flag off by default",
      features: noFlags,
      subject: allowedSubject,
      proxied: true,
      outcome: "instance_admin_flag_disabled",
    },
    {
      why: "proxied, flag on for another user",
      features: instanceAdminOnForOther,
      subject: allowedSubject,
      proxied: true,
      outcome: "instance_admin_flag_disabled",
    },
    {
      why: "proxied, flag on for this user",
      features: instanceAdminOnForUser,
      subject: allowedSubject,
      proxied: true,
      outcome: "allowed",
    },
  ])("$why → $outcome", ({ features, subject, proxied, outcome }) => {
    const decision = decideSaasTokenRequest({ userId: USER_ID, subject, proxied, features });
    expect(decision.allowed ? "allowed" : decision.reason).toBe(outcome);
  });
});

describe("self-managed decision table", () => {
  const ok = {
    features: noFlags,
    instanceLevelCodeSuggestionsEnabled: true,
    aiAccessTokenSet: true,
    proxied: false,
  };
  it.each([
    { why: "everything set", request: ok, outcome: "allowed" },
    {
      why: "tokens API off",
      request: { ...ok, features: tokensApiOff, instanceLevelCodeSuggestionsEnabled: false },
      outcome: "tokens_api_disabled",
    },
    {
      why: "instance setting off",
      request: { ...ok, instanceLevelCodeSuggestionsEnabled: false, aiAccessTokenSet: false },
      outcome: "instance_code_suggestions_disabled",
    },
    {
      why: "no ai_access_token",
      request: { ...ok, aiAccessTokenSet: false, proxied: true },
      outcome: "ai_access_token_missing",
    },
    { why: "already proxied", request: { ...ok, proxied: true }, outcome: "proxy_loop" },
  ])("$why → $outcome", ({ request, outcome }) => {
    const decision = decideSelfManagedTokenRequest(request);
    expect(decision.allowed ? "allowed" : decision.reason).toBe(outcome);
  });
});
