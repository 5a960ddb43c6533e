/** Why a request was refused. Stable codes: the HTTP mapping and the logs rely on them. */
export type DenialReason =
  | "tokens_api_disabled"
  | "user_code_suggestions_disabled"
  | "group_code_suggestions_disabled"
  | "instance_admin_flag_disabled"
  | "instance_code_suggestions_disabled"
  | "ai_access_token_missing"
  | "proxy_loop";

export type Decision = { readonly allowed: true } | Denial;

export interface Denial {
  readonly allowed: false;
  readonly reason: DenialReason;
  /** For logs and operators, never for the client: GitLab's bodies say less. */
  readonly detail: string;
}

export const allow: Decision = Object.freeze({ allowed: true });

export function deny(reason: DenialReason, detail: string): Denial {
  return { allowed: false, reason, detail };
}
