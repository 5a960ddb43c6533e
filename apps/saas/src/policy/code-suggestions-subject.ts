import type { PrismaClient } from "@token-broker/db";
import type { CodeSuggestionsSubject, GroupSettings } from "@token-broker/policy";

const GROUP_SETTINGS = {
  id: true,
  fullPath: true,
  codeSuggestions: true,
  thirdPartyAiFeaturesEnabled: true,
} as const;

/** What `access_code_suggestions` needs about a user: the preference and each membership's root group. */
export async function loadCodeSuggestionsSubject(
  prisma: PrismaClient,
  userId: number,
): Promise<CodeSuggestionsSubject> {
  const user = await prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: {
      codeSuggestions: true,
      memberships: {
        select: { group: { select: { ...GROUP_SETTINGS, root: { select: GROUP_SETTINGS } } } },
      },
    },
  });
  return {
    codeSuggestions: user.codeSuggestions,
    memberships: user.memberships.map(({ group: { root, ...group } }) => ({
      group: group satisfies GroupSettings,
      root,
    })),
  };
}
