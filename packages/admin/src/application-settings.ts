import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { invalid } from "./admin-error.ts";

/** The instance-wide settings row (GitLab's ApplicationSetting): there is exactly one. */
export const SETTINGS_ID = 1;

export interface ApplicationSettings {
  readonly instanceUuid: string;
  readonly instanceLevelCodeSuggestionsEnabled: boolean;
  readonly encryptedAiAccessToken: string | null;
}

/** What the API shows: `ai_access_token` is write-only, only whether it is set is visible. */
export interface ApplicationSettingsView {
  readonly instance_level_code_suggestions_enabled: boolean;
  readonly ai_access_token_set: boolean;
}

export interface ApplicationSettingsChanges {
  readonly instanceLevelCodeSuggestionsEnabled?: boolean;
  /** The SaaS service token; an empty string removes it. Stored encrypted. */
  readonly aiAccessToken?: string;
}

const SELECTED = {
  instanceUuid: true,
  instanceLevelCodeSuggestionsEnabled: true,
  encryptedAiAccessToken: true,
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

export function settingsView(settings: ApplicationSettings): ApplicationSettingsView {
  return {
    instance_level_code_suggestions_enabled: settings.instanceLevelCodeSuggestionsEnabled,
    ai_access_token_set: settings.encryptedAiAccessToken !== null,
  };
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
