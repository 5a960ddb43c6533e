import fp from "fastify-plugin";

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * The server generates every request id (clients cannot choose what appears in our logs)
 * and returns it, so a user can quote it and an operator can find the request.
 */
export const requestIdHeader = fp(
  async (app) => {
    app.addHook("onRequest", async (request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
    });
  },
  { name: "request-id-header" },
);
