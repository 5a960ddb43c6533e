import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { BrokerError } from "@token-broker/errors";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { UserTokenSigner } from "../auth/user-token-signer.ts";
import { DetailBody, ErrorBody } from "../completions/completion-request.ts";

const REFUSED = "Unauthorized to create user access token for code suggestions";
/** Header values that become claims: bounded, visible ASCII only. */
const CLAIM_VALUE = /^[\x21-\x7e]{1,255}$/;

function requiredHeader(request: FastifyRequest, name: string): string {
  const value = request.headers[name.toLowerCase()];
  if (typeof value !== "string" || value === "") {
    throw new BrokerError("gateway_bad_request", `Missing ${name} header`);
  }
  if (!CLAIM_VALUE.test(value))
    throw new BrokerError("gateway_bad_request", `Invalid ${name} header`);
  return value;
}

/**
 * `POST /v1/code/user_access_token`: a token for one user's direct connection, minted for
 * an instance (or SaaS) that holds a token signed by a trusted issuer. A user token cannot
 * mint another: a leaked one would otherwise never expire.
 */
export const userAccessTokenRoutes: FastifyPluginAsyncTypebox<{ sign: UserTokenSigner }> = async (
  app,
  { sign },
) => {
  // The body is never read (clients send none, or `{}` with a JSON content type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 4096 }, (_request, _body, done) =>
    done(null, undefined),
  );

  app.post(
    "/v1/code/user_access_token",
    {
      schema: {
        summary: "A user token for direct access (signed by the gateway, 1 h)",
        tags: ["tokens"],
        response: {
          200: Type.Object({ token: Type.String(), expires_at: Type.Integer() }),
          400: DetailBody,
          401: ErrorBody,
          403: DetailBody,
        },
      },
    },
    async (request) => {
      const token = request.gatewayToken;
      if (token?.kind !== "issued" || !token.scopes.includes("complete_code")) {
        throw new BrokerError("gateway_forbidden", REFUSED);
      }
      return sign({
        globalUserId: requiredHeader(request, "X-Gitlab-Global-User-Id"),
        instanceId: requiredHeader(request, "X-Gitlab-Instance-Id"),
        realm: requiredHeader(request, "X-Gitlab-Realm"),
      });
    },
  );
};
