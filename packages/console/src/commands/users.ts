import {
  createServiceAccount,
  createUser,
  findUserByUsername,
  setCodeSuggestionsPreference,
  setUserState,
} from "@token-broker/admin";
import { bool, CODE_SUGGESTIONS_FLAG, type Command, text } from "../command.ts";

export const USER_COMMANDS: readonly Command[] = [
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
  {
    name: "users create-service-account",
    summary: "create a service account: no password; only administrators add it to groups",
    options: {
      username: { type: "string", description: "unique username (default: generated)" },
      email: { type: "string", description: "unique email (default: generated, noreply)" },
      name: { type: "string", description: 'display name (default: "Service account user")' },
    },
    async run({ prisma, io, config }, _args, values) {
      const account = await createServiceAccount(
        prisma,
        {
          username: text(values, "username"),
          email: text(values, "email"),
          name: text(values, "name"),
        },
        new URL(config.externalUrl).hostname,
      );
      io.out(`created service account ${account.username} (id ${account.id})`);
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
];
