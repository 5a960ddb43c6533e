import type { FastifyInstance } from "fastify";

/**
 * For the routes of a scope that take no body (the token endpoints). Clients and proxies send
 * one anyway (`Content-Type: application/json` with nothing, which the default parser
 * refuses): a body of any type is read, within the server's limit (413 beyond it) and
 * timeouts, and dropped: it reaches no handler and no upstream. Replaces the scope's parsers.
 */
export function ignoreBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) => {
    done(null, undefined);
  });
}
