import type { onSendHookHandler } from "fastify";
import fp from "fastify-plugin";

const JSON_WITH_PARAMETERS = /^application\/json\s*;/i;

/**
 * GitLab's API answers `Content-Type: application/json` exactly. Fastify adds
 * `; charset=utf-8`, and some clients (python-gitlab, so Ansible's GitLab modules) compare the
 * header exactly and take anything else for a non-JSON answer. One hook for every reply:
 * routes, errors, 404s and relayed upstream answers alike.
 */
const dropJsonParameters: onSendHookHandler = async (_request, reply, payload) => {
  const type = reply.getHeader("content-type");
  if (typeof type === "string" && JSON_WITH_PARAMETERS.test(type)) {
    reply.header("content-type", "application/json");
  }
  return payload;
};

export const jsonContentType = fp(
  async (app) => {
    app.addHook("onSend", dropJsonParameters);
  },
  { name: "json-content-type" },
);
