import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CODE_SUGGESTIONS_SCOPES } from "@token-broker/auth";
import { BrokerError } from "@token-broker/errors";
import { gitlabErrors, ignoreBodies } from "@token-broker/instance";
import { decideSaasTokenRequest, SELF_MANAGED_REALM } from "@token-broker/policy";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { createSubjectCache } from "../policy/subject-cache.ts";
import { instanceTokensLimit } from "../rate-limit/token-limits.ts";
import type { SignGatewayToken } from "../signing/cloud-connector-tokens.ts";
import type { GatewayTokenMetrics } from "../signing/gateway-token-metrics.ts";

declare module "@token-broker/instance" {
  interface RequestLogFields {
    /** The instance an instance token was issued for: it labels the count, never picks it. */
    instanceId?: string;
  }
}

export const INSTANCE_TOKEN_PATH = "/api/v4/cloud_connector/instance_token";

/** A UUID in its canonical text form, any version (GitLab's instance UUIDs are v4). */
const UUID_PATTERN =
  "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const InstanceTokenHeaders = Type.Object({
  "x-gitlab-instance-id": Type.String({ pattern: UUID_PATTERN, maxLength: 36 }),
  "x-gitlab-realm": Type.Literal(SELF_MANAGED_REALM),
});

const InstanceToken = Type.Object(
  {
    token: Type.String({ description: "RS256 JWT for the AI gateway" }),
    expires_at: Type.Integer({ description: "expiry, Unix seconds" }),
  },
  { description: "An instance token for the AI gateway" },
);

export interface InstanceTokenOptions {
  readonly sign: SignGatewayToken;
  readonly lifetimeSeconds: number;
  readonly metrics: GatewayTokenMetrics;
}

/**
 * `POST /api/v4/cloud_connector/instance_token`: a self-managed instance's service account
 * asks for the token its instance sends to the AI gateway. The decision is exactly that of a
 * relayed legacy token request (ops flag, the account's `access_code_suggestions`, the
 * instance-admin flag for it); only the token differs.
 */
export const instanceTokenRoutes: FastifyPluginAsyncTypebox<InstanceTokenOptions> = async (
  app,
  { sign, lifetimeSeconds, metrics },
) => {
  const subjectOf = createSubjectCache(
    app.database.prisma,
    app.changeFeed,
    app.metrics.cacheLookups("subjects"),
  );

  // No body is expected; self-managed sends `Content-Type: application/json` with an empty one.
  ignoreBodies(app);

  const countOutcome = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome =
      request.tokenOutcome ??
      request.authFailure ??
      (reply.statusCode === 400 ? "invalid_request" : undefined);
    if (outcome !== undefined) metrics.count("instance", outcome);
  };

  app.post(
    INSTANCE_TOKEN_PATH,
    {
      schema: {
        summary: "Create an instance token for the AI gateway (self-managed service accounts)",
        tags: ["cloud_connector"],
        headers: InstanceTokenHeaders,
        response: { 201: InstanceToken, ...gitlabErrors(400, 401, 403, 404, 429) },
      },
      config: {
        scopes: CODE_SUGGESTIONS_SCOPES,
        // TOKENS_RATE_LIMIT_PER_INSTANCE, per service account: the instance id never picks
        // the bucket, which relayed legacy token requests share.
        rateLimit: app.principalRateLimit(instanceTokensLimit(app.config.operations.rateLimits)),
      },
      onResponse: countOutcome,
    },
    async (request, reply) => {
      const { user } = request.principal;
      const [features, subject] = await Promise.all([app.featureSnapshot(), subjectOf(user.id)]);
      // An instance token is for a self-managed instance only: always a relayed request.
      const decision = decideSaasTokenRequest({
        userId: user.id,
        subject,
        proxied: true,
        features,
      });
      if (!decision.allowed) {
        request.tokenOutcome = decision.reason;
        throw new BrokerError(decision.reason, decision.detail);
      }
      // As sent: the gateway compares `sub` with the X-Gitlab-Instance-Id it is sent.
      const instanceId = request.headers["x-gitlab-instance-id"];
      const { token, expiresAt } = await sign({
        realm: SELF_MANAGED_REALM,
        instanceId,
        lifetimeSeconds,
      });
      request.logFields = { realm: SELF_MANAGED_REALM, instanceId };
      request.tokenOutcome = "issued";
      return reply
        .code(201)
        .header("cache-control", "no-store")
        .send({ token, expires_at: expiresAt });
    },
  );
};
