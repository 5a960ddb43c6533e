import { generatePersonalAccessToken, isScope, type TokenDigester } from "@token-broker/auth";
import type { Prisma, PrismaClient } from "@token-broker/db";
import { invalid, notFound } from "./admin-error.ts";
import { type Page, type PageRequest, pageWindow } from "./pagination.ts";

export const TOKEN_SELECT = {
  id: true,
  name: true,
  userId: true,
  scopes: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  createdAt: true,
} as const;

export type TokenRecord = Prisma.PersonalAccessTokenGetPayload<{ select: typeof TOKEN_SELECT }>;

/** A token as just created: the secret is returned this once and never stored. */
export interface CreatedToken {
  readonly record: TokenRecord;
  readonly token: string;
}

export interface NewToken {
  readonly userId: number;
  readonly name: string;
  readonly scopes: readonly string[];
  /** A calendar date (UTC); the token stops working at its start. */
  readonly expiresAt?: Date | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** GitLab's default lifetime of a rotated token. */
const ROTATED_LIFETIME_MS = 7 * DAY_MS;

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function validate(token: NewToken, now: Date): void {
  if (token.name.trim() === "") throw invalid("name is missing");
  if (token.scopes.length === 0) throw invalid("scopes is missing");
  const unknown = token.scopes.find((scope) => !isScope(scope));
  if (unknown !== undefined) throw invalid("scopes does not have a valid value");
  if (token.expiresAt && startOfUtcDay(token.expiresAt) <= startOfUtcDay(now)) {
    throw invalid("expires_at must be a date in the future");
  }
}

export function isActive(token: TokenRecord, now = new Date()): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}

export async function createPersonalAccessToken(
  prisma: PrismaClient,
  digest: TokenDigester,
  token: NewToken,
  now = new Date(),
): Promise<CreatedToken> {
  validate(token, now);
  if ((await prisma.user.count({ where: { id: token.userId } })) === 0) throw notFound("User");
  const secret = generatePersonalAccessToken();
  const record = await prisma.personalAccessToken.create({
    data: {
      userId: token.userId,
      name: token.name,
      scopes: [...new Set(token.scopes)],
      expiresAt: token.expiresAt ? startOfUtcDay(token.expiresAt) : null,
      tokenDigest: digest(secret),
    },
    select: TOKEN_SELECT,
  });
  return { record, token: secret };
}

export async function findPersonalAccessToken(
  prisma: PrismaClient,
  id: number,
): Promise<TokenRecord> {
  const token = await prisma.personalAccessToken.findUnique({
    where: { id },
    select: TOKEN_SELECT,
  });
  if (token === null) throw notFound("Personal Access Token");
  return token;
}

/** One page of the tokens by id, everyone's or one user's. */
export async function listPersonalAccessTokens(
  prisma: PrismaClient,
  filter: { userId?: number },
  page: PageRequest,
): Promise<Page<TokenRecord>> {
  const where = filter.userId === undefined ? {} : { userId: filter.userId };
  const [items, total] = await prisma.$transaction([
    prisma.personalAccessToken.findMany({
      where,
      select: TOKEN_SELECT,
      orderBy: { id: "asc" },
      ...pageWindow(page),
    }),
    prisma.personalAccessToken.count({ where }),
  ]);
  return { items, total };
}

/** Revokes a token: it stops working at the next request. Revoking twice is refused. */
export async function revokePersonalAccessToken(
  prisma: PrismaClient,
  id: number,
  now = new Date(),
) {
  const { count } = await prisma.personalAccessToken.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: now },
  });
  if (count === 0) {
    await findPersonalAccessToken(prisma, id);
    throw invalid("Token already revoked");
  }
}

/** Revokes an active token and creates its successor (same owner, name and scopes). */
export async function rotatePersonalAccessToken(
  prisma: PrismaClient,
  digest: TokenDigester,
  id: number,
  options: { expiresAt?: Date | null } = {},
  now = new Date(),
): Promise<CreatedToken> {
  const current = await findPersonalAccessToken(prisma, id);
  if (!isActive(current, now)) throw invalid("Token is revoked or expired");
  const successor: NewToken = {
    userId: current.userId,
    name: current.name,
    scopes: current.scopes,
    expiresAt: options.expiresAt ?? new Date(now.getTime() + ROTATED_LIFETIME_MS),
  };
  validate(successor, now);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.personalAccessToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) throw invalid("Token is revoked or expired");
    return createPersonalAccessToken(tx as PrismaClient, digest, successor, now);
  });
}
