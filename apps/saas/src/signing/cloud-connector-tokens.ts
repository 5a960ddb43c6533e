import type { GitlabRealm, SignJwt } from "./token-signer.ts";

/** GitLab's AI gateway accepts only tokens for this audience (an array, as GitLab signs it). */
export const AI_GATEWAY_AUDIENCE = "gitlab-ai-gateway";
/** What an instance token and a self-issued token allow at the gateway. */
export const CODE_SUGGESTIONS_GATEWAY_SCOPES = ["complete_code", "generate_code"] as const;
/** Self-issued tokens live as long as the legacy ones. */
export const SELF_ISSUED_LIFETIME_SECONDS = 3600;

/** A token for the AI gateway, as the instance-token endpoint answers it. */
export interface GatewayToken {
  readonly token: string;
  /** `exp`, Unix seconds. */
  readonly expiresAt: number;
}

export interface GatewayGrant {
  readonly realm: GitlabRealm;
  /** The instance the token speaks for: `sub` and `gitlab_instance_id`. */
  readonly instanceId: string;
  readonly lifetimeSeconds: number;
}

export type SignGatewayToken = (grant: GatewayGrant) => Promise<GatewayToken>;

/**
 * Cloud Connector tokens (docs/cloud-connector.md, Tokens): audience the AI gateway, the
 * instance as subject, its realm, and the code-suggestions scopes. Instance tokens
 * (self-managed) and self-issued tokens (SaaS's own users) differ only in realm, subject and life.
 */
export function createGatewayTokenSigner(sign: SignJwt): SignGatewayToken {
  return async ({ realm, instanceId, lifetimeSeconds }) => {
    const { jwt, expiresAt } = await sign({
      audience: [AI_GATEWAY_AUDIENCE],
      claims: {
        sub: instanceId,
        gitlab_realm: realm,
        gitlab_instance_id: instanceId,
        scopes: [...CODE_SUGGESTIONS_GATEWAY_SCOPES],
      },
      lifetimeSeconds,
    });
    return { token: jwt, expiresAt };
  };
}
