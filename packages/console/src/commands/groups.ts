import {
  ADMINISTRATOR,
  addGroupMember,
  createGroup,
  findGroup,
  findUserByUsername,
  removeGroupMember,
  updateGroup,
  updateGroupMember,
} from "@token-broker/admin";
import { bool, CODE_SUGGESTIONS_FLAG, type Command, text } from "../command.ts";
import { UsageError } from "../console-io.ts";

export const GROUP_COMMANDS: readonly Command[] = [
  {
    name: "groups create",
    summary: "create a group, or a subgroup of --parent",
    options: {
      name: { type: "string", description: "display name", required: true },
      path: { type: "string", description: "URL path segment", required: true },
      parent: { type: "string", description: "full path of the parent group" },
    },
    async run({ prisma, io }, _args, values) {
      const parentPath = text(values, "parent");
      const parentId =
        parentPath === undefined ? undefined : (await findGroup(prisma, parentPath)).id;
      const group = await createGroup(prisma, {
        name: String(values.name),
        path: String(values.path),
        parentId,
      });
      io.out(`created group ${group.fullPath} (id ${group.id})`);
    },
  },
  {
    name: "groups update",
    summary: "change a group's settings (they apply on top-level groups)",
    arguments: ["group"],
    options: {
      "code-suggestions": CODE_SUGGESTIONS_FLAG,
      "third-party-ai-features": { type: "string", description: "true or false" },
    },
    async run({ prisma, io }, [group = ""], values) {
      const updated = await updateGroup(prisma, group, {
        codeSuggestions: bool("code-suggestions", values["code-suggestions"]),
        thirdPartyAiFeaturesEnabled: bool(
          "third-party-ai-features",
          values["third-party-ai-features"],
        ),
      });
      io.out(
        `${updated.fullPath}: code_suggestions ${updated.codeSuggestions}, third_party_ai_features_enabled ${updated.thirdPartyAiFeaturesEnabled}`,
      );
    },
  },
  {
    name: "groups add-member",
    summary: "add a user to a group",
    arguments: ["group", "username"],
    options: { "access-level": { type: "string", description: "10, 20, 30 (default), 40 or 50" } },
    async run({ prisma, io }, [group = "", username = ""], values) {
      const level = accessLevel(values, "30");
      const user = await findUserByUsername(prisma, username);
      const member = await addGroupMember(prisma, group, user.id, level, ADMINISTRATOR);
      io.out(`added ${member.user.username} to ${group} (access level ${member.accessLevel})`);
    },
  },
  // As an administrator: every rule but the last owner's is met (group-membership.ts).
  {
    name: "groups set-access-level",
    summary: "change a member's access level (never the last owner's)",
    arguments: ["group", "username"],
    options: {
      "access-level": { type: "string", description: "10, 20, 30, 40 or 50", required: true },
    },
    async run({ prisma, io }, [group = "", username = ""], values) {
      const user = await findUserByUsername(prisma, username);
      const member = await updateGroupMember(
        prisma,
        group,
        user.id,
        accessLevel(values),
        ADMINISTRATOR,
      );
      io.out(`${member.user.username} in ${group}: access level ${member.accessLevel}`);
    },
  },
  {
    name: "groups remove-member",
    summary: "remove a user from a group (never its last owner)",
    arguments: ["group", "username"],
    async run({ prisma, io }, [group = "", username = ""]) {
      const user = await findUserByUsername(prisma, username);
      await removeGroupMember(prisma, group, user.id, ADMINISTRATOR);
      io.out(`removed ${user.username} from ${group}`);
    },
  },
];

function accessLevel(values: Parameters<typeof text>[0], fallback?: string): number {
  const level = text(values, "access-level") ?? fallback ?? "";
  if (!/^\d+$/.test(level)) throw new UsageError("--access-level must be 10, 20, 30, 40 or 50");
  return Number(level);
}
