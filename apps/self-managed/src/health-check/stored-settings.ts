import { readApplicationSettings } from "@token-broker/admin";
import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import type { StoredSettings } from "./health-check.ts";

/** The settings as stored now (no cache: the check must see the latest), token decrypted. */
export async function loadStoredSettings(
  prisma: PrismaClient,
  secretBox: SecretBox,
): Promise<StoredSettings> {
  const settings = await readApplicationSettings(prisma);
  return {
    instanceLevelCodeSuggestionsEnabled: settings.instanceLevelCodeSuggestionsEnabled,
    aiAccessToken:
      settings.encryptedAiAccessToken === null
        ? undefined
        : secretBox.decrypt(settings.encryptedAiAccessToken),
    instanceUuid: settings.instanceUuid,
    aiGatewayUrl: settings.aiGatewayUrl,
  };
}
