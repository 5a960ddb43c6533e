import type { GatewayToken, SignGatewayToken } from "./cloud-connector-tokens.ts";
import { SELF_ISSUED_LIFETIME_SECONDS } from "./cloud-connector-tokens.ts";
import type { LiveKeyRing } from "./live-key-ring.ts";

export interface SelfIssuedTokensOptions {
  readonly sign: SignGatewayToken;
  readonly keys: LiveKeyRing;
  /** SaaS's own instance UUID (its application settings, as self-managed keeps its own). */
  readonly instanceUuid: () => Promise<string>;
  readonly onIssued?: () => void;
  readonly now?: () => number;
}

interface Held extends GatewayToken {
  readonly kid: string;
  readonly instanceId: string;
  /** From then on a new token is signed: past half its life. */
  readonly renewAt: number;
}

/**
 * Self-issued tokens: what SaaS's own completions send to the AI gateway on behalf of its
 * users (realm `saas`, SaaS's instance as subject). The token names no user, so one serves
 * every request of this replica until half its life is gone, the signing key changes, or the
 * instance UUID does; signing once per completion would cost an RSA signature each time.
 */
export function createSelfIssuedTokens(options: SelfIssuedTokensOptions) {
  const { sign, keys, instanceUuid } = options;
  const now = options.now ?? Date.now;
  const onIssued = options.onIssued ?? (() => {});
  let held: Held | undefined;
  let signing: Promise<Held> | undefined;

  const issue = async (instanceId: string, kid: string): Promise<Held> => {
    const token = await sign({
      realm: "saas",
      instanceId,
      lifetimeSeconds: SELF_ISSUED_LIFETIME_SECONDS,
    });
    onIssued();
    const renewAt = token.expiresAt - SELF_ISSUED_LIFETIME_SECONDS / 2;
    return { ...token, kid, instanceId, renewAt };
  };

  return async function selfIssuedToken(): Promise<GatewayToken> {
    const [instanceId, ring] = await Promise.all([instanceUuid(), keys.get()]);
    const kid = ring.signing.kid;
    const current = held;
    if (
      current !== undefined &&
      current.kid === kid &&
      current.instanceId === instanceId &&
      now() / 1000 < current.renewAt
    ) {
      return { token: current.token, expiresAt: current.expiresAt };
    }
    // Concurrent requests at a renewal share one signature.
    signing ??= issue(instanceId, kid).finally(() => {
      signing = undefined;
    });
    held = await signing;
    return { token: held.token, expiresAt: held.expiresAt };
  };
}

export type SelfIssuedTokens = ReturnType<typeof createSelfIssuedTokens>;
