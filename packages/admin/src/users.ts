import { randomBytes, scrypt as scryptCallback } from "node:crypto";
import { promisify } from "node:util";
import { Prisma, type PrismaClient, type UserType } from "@token-broker/db";
import { conflict, invalid, notFound } from "./admin-error.ts";
import { assertLength, idsIgnoringCase, isNamespacePath } from "./names.ts";
import { type Page, type PageRequest, pageWindow } from "./pagination.ts";

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 8;

export const USER_SELECT = {
  id: true,
  username: true,
  name: true,
  email: true,
  state: true,
  admin: true,
  userType: true,
  codeSuggestions: true,
  createdAt: true,
} as const;

export type UserRecord = Prisma.UserGetPayload<{ select: typeof USER_SELECT }>;

export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly name: string;
  readonly password?: string;
  readonly admin?: boolean;
}

export interface UserChanges {
  readonly username?: string;
  readonly email?: string;
  readonly name?: string;
  readonly password?: string;
  readonly admin?: boolean;
}

function validate(changes: UserChanges): void {
  assertLength("username", changes.username);
  assertLength("email", changes.email);
  assertLength("name", changes.name);
  if (changes.username !== undefined && !isNamespacePath(changes.username)) {
    throw invalid("username is invalid");
  }
  if (changes.email !== undefined && !EMAIL.test(changes.email)) throw invalid("email is invalid");
  if (changes.name !== undefined && changes.name.trim() === "") throw invalid("name is invalid");
  if (changes.password !== undefined && changes.password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`password is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`);
  }
}

async function digestPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

// GitLab's uniqueness ignores case (`ROOT` is `root`); the database holds the same rule in
// unique indexes on lower(username) and lower(email), which also settle races.
async function assertAvailable(prisma: PrismaClient, changes: UserChanges, exceptId?: number) {
  const taken = async (name: "username" | "email", value: string | undefined) =>
    value !== undefined &&
    (await idsIgnoringCase(prisma, name, value)).some((id) => id !== exceptId);
  if (await taken("username", changes.username)) {
    throw conflict("Username has already been taken");
  }
  if (await taken("email", changes.email)) {
    throw conflict("Email has already been taken");
  }
}

/** A unique-constraint race (two creations at once) reads as the same conflict. */
function asConflict(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    const target = JSON.stringify(error.meta ?? {});
    throw conflict(
      target.includes("email") ? "Email has already been taken" : "Username has already been taken",
    );
  }
  throw error;
}

export async function createUser(prisma: PrismaClient, user: NewUser): Promise<UserRecord> {
  return insertUser(prisma, user, "human");
}

/** A new user of a kind; only service-accounts.ts makes other kinds than `human`. */
export async function insertUser(
  prisma: PrismaClient,
  user: NewUser,
  userType: UserType,
): Promise<UserRecord> {
  validate(user);
  await assertAvailable(prisma, user);
  const passwordDigest = user.password === undefined ? null : await digestPassword(user.password);
  return prisma.user
    .create({
      data: {
        username: user.username,
        email: user.email,
        name: user.name,
        admin: user.admin ?? false,
        passwordDigest,
        userType,
      },
      select: USER_SELECT,
    })
    .catch(asConflict);
}

export async function findUser(prisma: PrismaClient, id: number): Promise<UserRecord> {
  const user = await prisma.user.findUnique({ where: { id }, select: USER_SELECT });
  if (user === null) throw notFound("User");
  return user;
}

export async function findUserByUsername(
  prisma: PrismaClient,
  username: string,
): Promise<UserRecord> {
  const [id] = await idsIgnoringCase(prisma, "username", username);
  const user =
    id === undefined ? null : await prisma.user.findUnique({ where: { id }, select: USER_SELECT });
  if (user === null) throw notFound("User");
  return user;
}

/**
 * Who makes a change to a user: an administrator through the API (`id`), or the console
 * (no id). An administrator cannot take away their own access (block or demote themselves):
 * the last one would lock the instance out.
 */
export interface UserActor {
  readonly id?: number;
}

export async function updateUser(
  prisma: PrismaClient,
  id: number,
  changes: UserChanges,
  actor: UserActor = {},
): Promise<UserRecord> {
  validate(changes);
  if (changes.admin === false && actor.id === id) {
    throw invalid("you cannot remove your own administrator access");
  }
  const user = await findUser(prisma, id);
  // A service account cannot sign in: it has no password and gets none (docs/operations.md).
  if (changes.password !== undefined && user.userType === "service_account") {
    throw invalid("password cannot be set for a service account");
  }
  await assertAvailable(prisma, changes, id);
  const { password, ...rest } = changes;
  const passwordDigest =
    password === undefined ? {} : { passwordDigest: await digestPassword(password) };
  return prisma.user
    .update({ where: { id }, data: { ...rest, ...passwordDigest }, select: USER_SELECT })
    .catch(asConflict);
}

export async function setUserState(
  prisma: PrismaClient,
  id: number,
  state: "active" | "blocked",
  actor: UserActor = {},
): Promise<UserRecord> {
  if (state === "blocked" && actor.id === id) throw invalid("you cannot block yourself");
  await findUser(prisma, id);
  return prisma.user.update({ where: { id }, data: { state }, select: USER_SELECT });
}

/** The user's own preference (GitLab: user preferences, `code_suggestions`). */
export async function setCodeSuggestionsPreference(
  prisma: PrismaClient,
  id: number,
  enabled: boolean,
): Promise<UserRecord> {
  await findUser(prisma, id);
  return prisma.user.update({
    where: { id },
    data: { codeSuggestions: enabled },
    select: USER_SELECT,
  });
}

/** One page of the users by id, or of the one with a username. */
export async function listUsers(
  prisma: PrismaClient,
  filter: { username?: string },
  page: PageRequest,
): Promise<Page<UserRecord>> {
  const where =
    filter.username === undefined
      ? {}
      : { id: { in: await idsIgnoringCase(prisma, "username", filter.username) } };
  const [items, total] = await prisma.$transaction([
    prisma.user.findMany({
      where,
      select: USER_SELECT,
      orderBy: { id: "asc" },
      ...pageWindow(page),
    }),
    prisma.user.count({ where }),
  ]);
  return { items, total };
}
