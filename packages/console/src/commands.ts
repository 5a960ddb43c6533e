import {
  addGroupMember,
  createGroup,
  createPersonalAccessToken,
  createUser,
  deleteFeature,
  findGroup,
  findUserByUsername,
  listFeatures,
  readApplicationSettings,
  revokePersonalAccessToken,
  setCodeSuggestionsPreference,
  setFeature,
  settingsView,
  setUserState,
  updateApplicationSettings,
  updateGroup,
} from "@token-broker/admin";
import type { TokenDigester } from "@token-broker/auth";
import type { PrismaClient } from "@token-broker/db";
import type { SecretBox } from "@token-broker/secrets";
import { type ConsoleIo, UsageError } from "./console-io.ts";

export interface ConsoleContext {
  readonly prisma: PrismaClient;
  readonly digest: TokenDigester;
  readonly secretBox: SecretBox;
  readonly io: ConsoleIo;
}

type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; description: string; required?: boolean }
>;
type Values = Record<string, string | boolean | undefined>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly arguments?: readonly string[];
  readonly options?: OptionSpec;
  run(context: ConsoleContext, args: string[], values: Values): Promise<void>;
}

function bool(name: string, value: string | boolean | undefined): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`--${name} must be true or false (got "${value}")`);
}

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

const CODE_SUGGESTIONS_FLAG = { type: "string", description: "true or false" } as const;

export const COMMANDS: readonly Command[] = [
  {
    name: "users create",
    summary: "create a user",
    options: {
      username: { type: "string", description: "unique username", required: true },
      email: { type: "string", description: "unique email", required: true },
      name: { type: "string", description: "display name", required: true },
      password: { type: "string", description: "optional password (8 characters or more)" },
      admin: { type: "boolean", description: "make the user an administrator" },
    },
    async run({ prisma, io }, _args, values) {
      const user = await createUser(prisma, {
        username: String(values.username),
        email: String(values.email),
        name: String(values.name),
        password: text(values, "password"),
        admin: values.admin === true,
      });
      io.out(`created user ${user.username} (id ${user.id}${user.admin ? ", administrator" : ""})`);
    },
  },
  ...(
    [
      ["block", "blocked", "block a user: their tokens stop working"],
      ["unblock", "active", "unblock a user"],
    ] as const
  ).map(
    ([action, state, summary]): Command => ({
      name: `users ${action}`,
      summary,
      arguments: ["username"],
      async run({ prisma, io }, [username = ""]) {
        const user = await setUserState(
          prisma,
          (await findUserByUsername(prisma, username)).id,
          state,
        );
        io.out(`${action}ed user ${user.username}`);
      },
    }),
  ),
  {
    name: "users preferences",
    summary: "set a user's own code_suggestions preference",
    arguments: ["username"],
    options: { "code-suggestions": { ...CODE_SUGGESTIONS_FLAG, required: true } },
    async run({ prisma, io }, [username = ""], values) {
      const enabled = bool("code-suggestions", values["code-suggestions"]) ?? true;
      const user = await setCodeSuggestionsPreference(
        prisma,
        (await findUserByUsername(prisma, username)).id,
        enabled,
      );
      io.out(`code suggestions ${user.codeSuggestions ? "on" : "off"} for ${user.username}`);
    },
  },
  {
    name: "tokens create",
    summary:
      "create a personal access token for a user; prints the token, once, on standard output",
    arguments: ["username"],
    options: {
      name: { type: "string", description: "token name", required: true },
      scopes: {
        type: "string",
        description: "comma-separated: api, read_api, read_user, ai_features",
        required: true,
      },
      "expires-at": { type: "string", description: "YYYY-MM-DD (default: never)" },
    },
    async run({ prisma, digest, io }, [username = ""], values) {
      const user = await findUserByUsername(prisma, username);
      const expiresAt = text(values, "expires-at");
      if (expiresAt !== undefined && !/^\d{4}-\d\d-\d\d$/.test(expiresAt)) {
        throw new UsageError("--expires-at must be a date, YYYY-MM-DD");
      }
      const { record, token } = await createPersonalAccessToken(prisma, digest, {
        userId: user.id,
        name: String(values.name),
        scopes: String(values.scopes)
          .split(",")
          .map((scope) => scope.trim())
          .filter(Boolean),
        expiresAt: expiresAt === undefined ? null : new Date(`${expiresAt}T00:00:00Z`),
      });
      io.err(
        `created token "${record.name}" (id ${record.id}) for ${user.username}; it is shown once:`,
      );
      io.out(token);
    },
  },
  {
    name: "tokens revoke",
    summary: "revoke a personal access token by id",
    arguments: ["id"],
    async run({ prisma, io }, [id = ""]) {
      if (!/^\d+$/.test(id)) throw new UsageError("the token id must be a number");
      await revokePersonalAccessToken(prisma, Number(id));
      io.out(`revoked token ${id}`);
    },
  },
  {
    name: "features list",
    summary: "list the feature flags that were set (others answer their default)",
    async run({ prisma, io }) {
      const features = await listFeatures(prisma);
      if (features.length === 0) io.out("no feature flag was set: every flag answers its default");
      for (const feature of features) {
        const actors = feature.gates.find((gate) => gate.key === "actors")?.value;
        io.out(
          `${feature.name}: ${feature.state}${Array.isArray(actors) ? ` (${actors.join(", ")})` : ""}`,
        );
      }
    },
  },
  ...(["enable", "disable"] as const).map(
    (action): Command => ({
      name: `features ${action}`,
      summary: `${action} a feature flag, globally or for one user`,
      arguments: ["flag"],
      options: {
        user: { type: "string", description: "username: change the flag for this user only" },
      },
      async run({ prisma, io }, [flag = ""], values) {
        const username = text(values, "user");
        const userId =
          username === undefined ? undefined : (await findUserByUsername(prisma, username)).id;
        const feature = await setFeature(prisma, flag, { enabled: action === "enable", userId });
        io.out(
          `${feature.name}: ${feature.state}${username ? ` (${action}d for ${username})` : ""}`,
        );
      },
    }),
  ),
  {
    name: "features delete",
    summary: "forget a feature flag: it answers its default again",
    arguments: ["flag"],
    async run({ prisma, io }, [flag = ""]) {
      await deleteFeature(prisma, flag);
      io.out(`${flag}: back to its default`);
    },
  },
  {
    name: "settings show",
    summary: "show the application settings (never the stored ai_access_token)",
    async run({ prisma, io }) {
      const settings = await readApplicationSettings(prisma);
      const view = settingsView(settings);
      io.out(`instance_uuid: ${settings.instanceUuid}`);
      io.out(
        `instance_level_code_suggestions_enabled: ${view.instance_level_code_suggestions_enabled}`,
      );
      io.out(`ai_access_token: ${view.ai_access_token_set ? "set" : "not set"}`);
    },
  },
  {
    name: "settings set",
    summary: "change application settings",
    options: {
      "instance-level-code-suggestions": { type: "string", description: "true or false" },
      "ai-access-token-stdin": {
        type: "boolean",
        description:
          "read the SaaS service token from standard input (keeps it out of the process list)",
      },
      "ai-access-token": {
        type: "string",
        description: "the SaaS service token (prefer --ai-access-token-stdin)",
      },
      "remove-ai-access-token": {
        type: "boolean",
        description: "forget the stored SaaS service token",
      },
    },
    async run({ prisma, secretBox, io }, _args, values) {
      const fromStdin = values["ai-access-token-stdin"] === true ? await io.readStdin() : undefined;
      const aiAccessToken =
        values["remove-ai-access-token"] === true
          ? ""
          : (fromStdin ?? text(values, "ai-access-token"));
      if (fromStdin === "") throw new UsageError("standard input held no token");
      const enabled = bool(
        "instance-level-code-suggestions",
        values["instance-level-code-suggestions"],
      );
      if (enabled === undefined && aiAccessToken === undefined)
        throw new UsageError("nothing to change");
      const view = settingsView(
        await updateApplicationSettings(prisma, secretBox, {
          instanceLevelCodeSuggestionsEnabled: enabled,
          aiAccessToken,
        }),
      );
      io.out(
        `instance_level_code_suggestions_enabled: ${view.instance_level_code_suggestions_enabled}`,
      );
      io.out(`ai_access_token: ${view.ai_access_token_set ? "set" : "not set"}`);
    },
  },
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
      const level = text(values, "access-level") ?? "30";
      if (!/^\d+$/.test(level)) throw new UsageError("--access-level must be 10, 20, 30, 40 or 50");
      const user = await findUserByUsername(prisma, username);
      const member = await addGroupMember(prisma, group, user.id, Number(level));
      io.out(`added ${member.user.username} to ${group} (access level ${member.accessLevel})`);
    },
  },
  {
    name: "status",
    summary: "show the instance's state: settings, feature flags, users, groups, tokens",
    async run(context) {
      const { prisma, io } = context;
      const [users, admins, blocked, groups, tokens] = await Promise.all([
        prisma.user.count(),
        prisma.user.count({ where: { admin: true } }),
        prisma.user.count({ where: { state: "blocked" } }),
        prisma.group.count(),
        prisma.personalAccessToken.count({ where: { revokedAt: null } }),
      ]);
      await findCommand("settings show").run(context, [], {});
      await findCommand("features list").run(context, [], {});
      io.out(`users: ${users} (${admins} administrators, ${blocked} blocked)`);
      io.out(`groups: ${groups}`);
      io.out(`personal access tokens not revoked: ${tokens}`);
    },
  },
];

export function findCommand(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  return command;
}
