import { randomBytes } from "node:crypto";
import {
  ADMINISTRATOR,
  addGroupMember,
  createGroup,
  createPersonalAccessToken,
  createUser,
  deleteFeature,
  type GroupRecord,
  revokePersonalAccessToken,
  setCodeSuggestionsPreference,
  setFeature,
  setUserState,
  type UserRecord,
  updateApplicationSettings,
  updateGroup,
} from "@token-broker/admin";
import type { TokenDigester } from "@token-broker/auth";
import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TokenOptions {
  readonly scopes?: string[];
  readonly expired?: boolean;
  readonly revoked?: boolean;
}

export interface UserOptions {
  readonly codeSuggestions?: boolean;
  readonly blocked?: boolean;
  readonly admin?: boolean;
}

/** Test data through the same administration functions the API and the console use. */
export function createFixtures(prisma: PrismaClient, digest: TokenDigester, secretBox: SecretBox) {
  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

  async function user(options: UserOptions = {}): Promise<UserRecord> {
    const username = unique("user");
    let created = await createUser(prisma, {
      username,
      email: `${username}@example.com`,
      name: username,
      admin: options.admin ?? false,
    });
    if (options.codeSuggestions === false)
      created = await setCodeSuggestionsPreference(prisma, created.id, false);
    if (options.blocked) created = await setUserState(prisma, created.id, "blocked");
    return created;
  }

  async function token(userId: number, options: TokenOptions = {}): Promise<string> {
    const created = await createPersonalAccessToken(prisma, digest, {
      userId,
      name: "editor",
      scopes: options.scopes ?? ["api"],
    });
    if (options.expired) {
      await prisma.personalAccessToken.update({
        where: { id: created.record.id },
        data: { expiresAt: new Date(Date.now() - DAY_MS) },
      });
    }
    if (options.revoked) await revokePersonalAccessToken(prisma, created.record.id);
    return created.token;
  }

  return {
    user,
    token,
    async userWithToken(userOptions: UserOptions = {}, tokenOptions: TokenOptions = {}) {
      const created = await user(userOptions);
      return { user: created, token: await token(created.id, tokenOptions) };
    },
    async group(
      options: {
        parent?: GroupRecord;
        codeSuggestions?: boolean;
        thirdPartyAiFeaturesEnabled?: boolean;
      } = {},
    ): Promise<GroupRecord> {
      const path = unique("group");
      const group = await createGroup(prisma, { name: path, path, parentId: options.parent?.id });
      const { codeSuggestions, thirdPartyAiFeaturesEnabled } = options;
      if (codeSuggestions === undefined && thirdPartyAiFeaturesEnabled === undefined) return group;
      return updateGroup(prisma, group.id, { codeSuggestions, thirdPartyAiFeaturesEnabled });
    },
    member: (group: GroupRecord, member: UserRecord) =>
      addGroupMember(prisma, group.id, member.id, 30, ADMINISTRATOR),
    feature: (name: string, { enabled, userId }: { enabled: boolean; userId?: number }) =>
      setFeature(prisma, name, { enabled, userIds: userId === undefined ? undefined : [userId] }),
    forgetFeature: (name: string) => deleteFeature(prisma, name),
    settings: (changes: {
      instanceLevelCodeSuggestionsEnabled?: boolean;
      aiAccessToken?: string;
      /** An empty string goes back to AI_GATEWAY_URL's gateway. */
      aiGatewayUrl?: string;
    }) => updateApplicationSettings(prisma, secretBox, changes),
  };
}

export type Fixtures = ReturnType<typeof createFixtures>;

/** A well-formed, recognisable token for configuration in tests (glpat- + 20 characters). */
export function fixedToken(label: string): string {
  return `glpat-${label
    .replace(/[^A-Za-z0-9_-]/g, "")
    .padEnd(20, "0")
    .slice(0, 20)}`;
}
