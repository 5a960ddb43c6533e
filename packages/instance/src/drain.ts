import fp from "fastify-plugin";

/**
 * While a replica drains, every answer closes its connection: a client (or a load
 * balancer's connection pool) then opens a new connection, which goes to another replica
 * once readiness has failed, instead of reusing one this replica is about to close.
 */
export const closeConnectionsWhileDraining = fp<{ draining: AbortSignal }>(
  async (app, { draining }) => {
    app.addHook("onSend", async (_request, reply, payload) => {
      if (draining.aborted) reply.header("connection", "close");
      return payload;
    });
  },
  { name: "close-connections-while-draining" },
);
