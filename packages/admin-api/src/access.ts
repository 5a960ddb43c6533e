import { API_SCOPES, type Scope } from "@token-broker/auth";
import type { FastifyContextConfig } from "fastify";

/** Reading the API also works with `read_api`; changing anything needs `api`. */
export const READ_SCOPES: readonly Scope[] = ["api", "read_api"];

/** Who may call a route, as its `config`: the authentication plugin enforces and documents it. */
export const READERS: FastifyContextConfig = { scopes: READ_SCOPES };
export const WRITERS: FastifyContextConfig = { scopes: API_SCOPES };
/** GitLab answers 403 to anyone else. */
export const ADMINISTRATORS: FastifyContextConfig = {
  scopes: API_SCOPES,
  administratorsOnly: true,
};
