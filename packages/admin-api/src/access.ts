import type { Scope } from "@token-broker/auth";
import type { FastifyContextConfig } from "fastify";

/** Reading the API also works with `read_api`; changing anything needs `api`. */
export const READ_SCOPES: readonly Scope[] = ["api", "read_api"];
const WRITE_SCOPES: readonly Scope[] = ["api"];

/** Who may call a route, as its `config`: the authentication plugin enforces and documents it. */
export const READERS: FastifyContextConfig = { scopes: READ_SCOPES };
export const WRITERS: FastifyContextConfig = { scopes: WRITE_SCOPES };
/** GitLab answers 403 to anyone else. */
export const ADMINISTRATORS: FastifyContextConfig = {
  scopes: WRITE_SCOPES,
  administratorsOnly: true,
};
