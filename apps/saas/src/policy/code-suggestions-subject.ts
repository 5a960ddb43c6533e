import type { PrismaClient } from "@token-broker/db";
import type { CodeSuggestionsSubject, GroupSettings, Membership } from "@token-broker/policy";

interface SubjectRow {
  user_code_suggestions: boolean;
  group_id: number | null;
  group_full_path: string | null;
  group_code_suggestions: boolean | null;
  group_third_party: boolean | null;
  root_id: number | null;
  root_full_path: string | null;
  root_code_suggestions: boolean | null;
  root_third_party: boolean | null;
}

function settings(
  id: number,
  fullPath: string | null,
  codeSuggestions: boolean | null,
  thirdParty: boolean | null,
): GroupSettings {
  return {
    id,
    fullPath: fullPath ?? "",
    codeSuggestions: codeSuggestions ?? true,
    thirdPartyAiFeaturesEnabled: thirdParty ?? true,
  };
}

/**
 * What `access_code_suggestions` needs about a user, in one query (indexes: users' primary
 * key, group_members by user, groups' primary key): the preference, and each membership's
 * group with its root group.
 */
export async function loadCodeSuggestionsSubject(
  prisma: PrismaClient,
  userId: number,
): Promise<CodeSuggestionsSubject> {
  const rows = await prisma.$queryRaw<SubjectRow[]>`
    SELECT u.code_suggestions AS user_code_suggestions,
           g.id AS group_id, g.full_path AS group_full_path,
           g.code_suggestions AS group_code_suggestions, g.third_party_ai_features_enabled AS group_third_party,
           r.id AS root_id, r.full_path AS root_full_path,
           r.code_suggestions AS root_code_suggestions, r.third_party_ai_features_enabled AS root_third_party
    FROM users u
    LEFT JOIN group_members m ON m.user_id = u.id
    LEFT JOIN groups g ON g.id = m.group_id
    LEFT JOIN groups r ON r.id = g.root_id
    WHERE u.id = ${userId}`;
  const [first] = rows;
  // Deleted since its token was read: nothing to allow.
  if (first === undefined) return { codeSuggestions: false, memberships: [] };
  const memberships: Membership[] = [];
  for (const row of rows) {
    if (row.group_id === null) continue;
    memberships.push({
      group: settings(
        row.group_id,
        row.group_full_path,
        row.group_code_suggestions,
        row.group_third_party,
      ),
      root:
        row.root_id === null
          ? null
          : settings(
              row.root_id,
              row.root_full_path,
              row.root_code_suggestions,
              row.root_third_party,
            ),
    });
  }
  return { codeSuggestions: first.user_code_suggestions, memberships };
}
