import {
  createPersonalAccessToken,
  findUserByUsername,
  revokePersonalAccessToken,
} from "@token-broker/admin";
import { type Command, text } from "../command.ts";
import { UsageError } from "../console-io.ts";

export const TOKEN_COMMANDS: readonly Command[] = [
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
];
