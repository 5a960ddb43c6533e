import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@token-broker/db";
import { insertUser, type UserRecord } from "./users.ts";

export interface NewServiceAccount {
  readonly username?: string;
  readonly name?: string;
  readonly email?: string;
}

/**
 * A service account (GitLab 16.1+; docs/operations.md, Service accounts): no password, and
 * missing fields get GitLab's defaults: username `service_account_<32 hex>`, name "Service
 * account user", email `<that username>@noreply.<host>` (`host`: the instance's host name).
 */
export function createServiceAccount(
  prisma: PrismaClient,
  account: NewServiceAccount,
  host: string,
): Promise<UserRecord> {
  const generated = `service_account_${randomBytes(16).toString("hex")}`;
  return insertUser(
    prisma,
    {
      username: account.username ?? generated,
      name: account.name ?? "Service account user",
      email: account.email ?? `${generated}@noreply.${host}`,
    },
    "service_account",
  );
}
