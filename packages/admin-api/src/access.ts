import type { Scope } from "@token-broker/auth";
import { ForbiddenError } from "@token-broker/instance";
import type { FastifyRequest } from "fastify";

/** Reading the API also works with `read_api`; changing anything needs `api`. */
export const READ_SCOPES: readonly Scope[] = ["api", "read_api"];
export const WRITE_SCOPES: readonly Scope[] = ["api"];

/** A preHandler, after authentication: administrators only (GitLab answers 403 otherwise). */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (!request.principal.user.admin) throw new ForbiddenError();
}
