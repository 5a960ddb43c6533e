import type { GatewayTokenSource } from "@token-broker/editor-api";

/**
 * The instance token the editor API sends to the AI gateway. Until this instance holds one
 * (synced from SaaS), completions and direct access answer 503.
 */
export const instanceTokenSource: GatewayTokenSource = {
  current: () => Promise.reject(new Error("this instance holds no instance token")),
};
