import type { ApplicationSettings } from "@token-broker/admin";
import { BrokerError } from "@token-broker/errors";
import { CODE_SUGGESTIONS_TOKENS_API, isFeatureEnabled } from "@token-broker/policy";
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from "fastify";

/**
 * Whether the authenticated user may use Code Suggestions on this service: the one rule that
 * differs between services (self-managed: its settings; SaaS: `access_code_suggestions`).
 */
export type AccessRule = (
  request: FastifyRequest,
  settings: ApplicationSettings,
) => boolean | Promise<boolean>;

/** Self-managed: Code Suggestions turned on for the instance, and a SaaS service token stored. */
export const selfManagedAccessRule: AccessRule = (_request, settings) =>
  settings.instanceLevelCodeSuggestionsEnabled && settings.encryptedAiAccessToken !== null;

export type Availability = "available" | "ops_flag_off" | "not_allowed";

/** The ops flag first (off: the routes do not exist), then the service's rule. */
export function availabilityOf(app: FastifyInstance, rule: AccessRule) {
  return async (request: FastifyRequest): Promise<Availability> => {
    const [features, settings] = await Promise.all([
      app.featureSnapshot(),
      app.applicationSettings(),
    ]);
    if (!isFeatureEnabled(CODE_SUGGESTIONS_TOKENS_API, features)) return "ops_flag_off";
    return (await rule(request, settings)) ? "available" : "not_allowed";
  };
}

/**
 * A route's check once the user is authenticated, before its body is read: 404 while the ops
 * flag is off, 401 when the user may not use Code Suggestions here.
 */
export function requireCodeSuggestions(
  availability: (request: FastifyRequest) => Promise<Availability>,
): onRequestAsyncHookHandler {
  return async (request) => {
    switch (await availability(request)) {
      case "ops_flag_off":
        throw new BrokerError(
          "tokens_api_disabled",
          `feature flag ${CODE_SUGGESTIONS_TOKENS_API.name} is off`,
        );
      case "not_allowed":
        throw new BrokerError(
          "code_suggestions_not_allowed",
          "the user may not use Code Suggestions",
        );
      case "available":
        return;
    }
  };
}
