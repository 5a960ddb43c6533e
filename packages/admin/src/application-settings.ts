import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { invalid } from "./admin-error.ts";

/** The instance-wide settings row (GitLab's ApplicationSetting): there is exactly one. */
export const SETTINGS_ID = 1;

export interface ApplicationSettings {
  readonly instanceUuid: string;
  readonly instanceLevelCodeSuggestionsEnabled: boolean;
  readonly encryptedAiAccessToken: string | null;
  /** null: the AI_GATEWAY_URL variable's gateway. */
  readonly aiGatewayUrl: string | null;
  readonly disabledDirectCodeSuggestions: boolean;
}

/** What a setting falls back to while unset: the service's configuration. */
export interface SettingsDefaults {
  readonly aiGatewayUrl: string;
}

/** What the API shows: `ai_access_token` is write-only, only whether it is set is visible. */
export interface ApplicationSettingsView {
  readonly instance_level_code_suggestions_enabled: boolean;
  readonly ai_access_token_set: boolean;
  readonly ai_gateway_url: string;
  readonly disabled_direct_code_suggestions: boolean;
}

export interface ApplicationSettingsChanges {
  readonly instanceLevelCodeSuggestionsEnabled?: boolean;
  /** The SaaS service token; an empty string removes it. Stored encrypted. */
  readonly aiAccessToken?: string;
  /** An http(s) URL; an empty string goes back to the AI_GATEWAY_URL variable's. */
  readonly aiGatewayUrl?: string;
  readonly disabledDirectCodeSuggestions?: boolean;
}

const SELECTED = {
  instanceUuid: true,
  instanceLevelCodeSuggestionsEnabled: true,
  encryptedAiAccessToken: true,
  aiGatewayUrl: true,
  disabledDirectCodeSuggestions: true,
} as const;

/** Creates the row (and with it the instance's UUID) on first start; idempotent. */
export async function ensureApplicationSettings(
  prisma: PrismaClient,
): Promise<ApplicationSettings> {
  return prisma.applicationSetting.upsert({
    where: { id: SETTINGS_ID },
    create: { id: SETTINGS_ID },
    update: {},
    select: SELECTED,
  });
}

export async function readApplicationSettings(prisma: PrismaClient): Promise<ApplicationSettings> {
  return prisma.applicationSetting.findUniqueOrThrow({
    where: { id: SETTINGS_ID },
    select: SELECTED,
  });
}

export function settingsView(
  settings: ApplicationSettings,
  defaults: SettingsDefaults,
): ApplicationSettingsView {
  return {
    instance_level_code_suggestions_enabled: settings.instanceLevelCodeSuggestionsEnabled,
    ai_access_token_set: settings.encryptedAiAccessToken !== null,
    ai_gateway_url: settings.aiGatewayUrl ?? defaults.aiGatewayUrl,
    disabled_direct_code_suggestions: settings.disabledDirectCodeSuggestions,
  };
}

const MAX_URL_LENGTH = 255;

/**
 * The gateway's base URL as stored: http(s), no credentials (they would travel in every
 * request and show in the settings), no query or fragment, no trailing slash.
 */
function gatewayUrl(raw: string): string | null {
  if (raw === "") return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("ai_gateway_url must be an http or https URL");
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    raw.length > MAX_URL_LENGTH
  ) {
    throw invalid("ai_gateway_url must be an http or https URL");
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * A token is printable ASCII without spaces, at most 255 characters. Anything else (CR/LF,
 * NUL, other control characters) cannot be a token and would break the upstream request's
 * Authorization header: every token request would then fail as "SaaS unreachable".
 */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,255}$/;

export async function updateApplicationSettings(
  prisma: PrismaClient,
  secretBox: SecretBox,
  changes: ApplicationSettingsChanges,
): Promise<ApplicationSettings> {
  const token = changes.aiAccessToken;
  if (token !== undefined && token !== "" && !TOKEN_SHAPE.test(token)) {
    throw invalid("ai_access_token is invalid");
  }
  const data = {
    instanceLevelCodeSuggestionsEnabled: changes.instanceLevelCodeSuggestionsEnabled,
    disabledDirectCodeSuggestions: changes.disabledDirectCodeSuggestions,
    ...(changes.aiGatewayUrl === undefined
      ? {}
      : { aiGatewayUrl: gatewayUrl(changes.aiGatewayUrl) }),
    ...(token === undefined
      ? {}
      : { encryptedAiAccessToken: token === "" ? null : secretBox.encrypt(token) }),
  };
  return prisma.applicationSetting.upsert({
    where: { id: SETTINGS_ID },
    create: { id: SETTINGS_ID, ...data },
    update: data,
    select: SELECTED,
  });
}
