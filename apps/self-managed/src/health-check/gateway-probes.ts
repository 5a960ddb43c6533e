import { gatewayTarget, identityHeaders, isGatewayTimeout } from "@token-broker/editor-api/gateway";
import type { Dispatcher } from "undici";
import { MAX_ANSWER_BYTES, readAtMost } from "../saas-proxy/saas-answer.ts";
import { USER_AGENT } from "../saas-proxy/upstream-request.ts";
import type { Probe } from "./report.ts";

/** The gateway the editor API uses now, and how the check reaches it. */
export interface Gateway {
  /** The effective base URL: the setting `ai_gateway_url`, else AI_GATEWAY_URL. */
  readonly url: string;
  /** Which of the two named it, for the administrator's next step. */
  readonly source: "ai_gateway_url" | "AI_GATEWAY_URL";
  readonly dispatcher: Dispatcher;
  /** How long `/monitoring/healthz` may take. */
  readonly timeoutMs: number;
  /** How long the test completion may take: as long as an editor's (AI_GATEWAY_TIMEOUT_MS). */
  readonly completionTimeoutMs: number;
}

/** Who the test completion is for: this instance's X-Gitlab-* headers. */
export interface GatewayCaller {
  readonly instanceId: string;
  readonly globalUserId: string;
  readonly hostName: string;
  readonly gitlabVersion: string;
}

/**
 * A fixed, tiny completion request, as the language server sends one: nothing of a user's
 * code, and a prompt any code model completes.
 */
export const TEST_COMPLETION = {
  prompt_version: 1,
  project_path: "",
  project_id: -1,
  current_file: {
    file_name: "health_check.py",
    content_above_cursor: "def add(a, b):\n    ",
    content_below_cursor: "",
  },
} as const;

function codeOf(error: unknown): string | undefined {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return cause?.code ?? code;
}

/** What a failure to reach the gateway means, from the error's code only (never its message). */
function unreachable(gateway: Gateway, error: unknown, timeoutMs: number): string {
  const check = `check ${gateway.source}, and that the gateway runs and this instance can reach it`;
  if (isGatewayTimeout(error)) {
    return `the AI gateway at ${gateway.url} did not answer within ${timeoutMs} ms: ${check}`;
  }
  const code = codeOf(error) ?? "connection failed";
  if (code === "ECONNREFUSED") {
    return `the AI gateway at ${gateway.url} refused the connection (ECONNREFUSED): ${check}`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `the host name of the AI gateway (${gateway.url}) does not resolve (${code}): ${check}`;
  }
  return `the AI gateway at ${gateway.url} could not be reached (${code}): ${check}`;
}

interface Answer {
  readonly status: number;
  /** The parsed body; undefined when it is not JSON or over 16 KB. */
  readonly body: unknown;
}

async function ask(
  gateway: Gateway,
  path: string,
  timeoutMs: number,
  init: { method: "GET" } | { method: "POST"; headers: Record<string, string>; body: string },
): Promise<Answer> {
  const target = gatewayTarget(gateway.url, path);
  const response = await gateway.dispatcher.request({
    origin: target.origin,
    path: target.pathname,
    method: init.method,
    headers: {
      accept: "application/json",
      "user-agent": USER_AGENT,
      ...(init.method === "POST" ? init.headers : {}),
    },
    ...(init.method === "POST" ? { body: init.body } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const bytes = await readAtMost(response.body, MAX_ANSWER_BYTES);
  let body: unknown;
  try {
    body = bytes === undefined ? undefined : JSON.parse(bytes.toString("utf8"));
  } catch {
    body = undefined;
  }
  return { status: response.statusCode, body };
}

/** `ai_gateway_reachable`: the gateway answers its liveness probe, `/monitoring/healthz`. */
export async function probeGatewayReachable(gateway: Gateway): Promise<Probe> {
  const name = "ai_gateway_reachable";
  try {
    const { status } = await ask(gateway, "/monitoring/healthz", gateway.timeoutMs, {
      method: "GET",
    });
    if (status !== 200) {
      return {
        name,
        success: false,
        message: `${gateway.url} answered ${status} at /monitoring/healthz, not as an AI gateway does: check ${gateway.source}`,
      };
    }
    return {
      name,
      success: true,
      message: `the AI gateway at ${gateway.url} (${gateway.source}) answered`,
    };
  } catch (error) {
    return { name, success: false, message: unreachable(gateway, error, gateway.timeoutMs) };
  }
}

/** The gateway's own reasons for refusing a token that may be repeated (fixed texts only). */
const KNOWN_REFUSAL =
  /^(?:Forbidden by auth provider|Header mismatch 'X-Gitlab-[A-Za-z-]{1,40}'|Invalid authentication token type - only OIDC is supported)$/;

function detailOf(body: unknown): string {
  const { detail, error } = (body ?? {}) as { detail?: unknown; error?: unknown };
  return typeof detail === "string" ? detail : typeof error === "string" ? error : "";
}

/** What a refusal of the test completion means for an administrator, by status. */
function refusal(status: number, body: unknown): string {
  const detail = detailOf(body);
  if (status === 503 && detail.includes("No model server configured")) {
    return "the AI gateway has no model configured (503): set MODEL_ENDPOINT and MODEL_NAME on the gateway";
  }
  if (status === 503 && detail.includes("MODEL_ENDPOINT")) {
    return "the AI gateway cannot reach its model server (503): check MODEL_ENDPOINT on the gateway and its network path to the model server";
  }
  if (status === 401) {
    const reason = KNOWN_REFUSAL.test(detail) ? ` (${detail})` : "";
    return `the AI gateway does not accept this instance's token${reason}: the gateway must trust SaaS's issuer (AI_GATEWAY_TRUSTED_ISSUERS)`;
  }
  if (status === 403) {
    return "the AI gateway refused the instance token's scopes (403): check that SaaS issues instance tokens with the complete_code scope";
  }
  if (status === 429) {
    return "the AI gateway is rate-limiting this instance (429): try again later";
  }
  if (status === 504) {
    return "the AI gateway's model server did not answer in time (504): check the model server and MODEL_TIMEOUT_MS on the gateway";
  }
  if (status === 502) {
    return "the AI gateway's model server answered, but not with a completion (502): check MODEL_ENDPOINT and MODEL_NAME on the gateway";
  }
  return `the AI gateway answered ${status} to a test completion: check the gateway's logs`;
}

/** Whether the answer carries a completion (its text is not looked at beyond that). */
function hasCompletion(body: unknown): boolean {
  const choices = (body as { choices?: unknown } | undefined)?.choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((choice) => {
    const text = (choice as { text?: unknown } | null)?.text;
    return typeof text === "string" && text.length > 0;
  });
}

/**
 * `code_completion`: a test completion end to end, as the editor API sends one: the held
 * instance token to `{gateway}/v2/code/completions` with this instance's headers. Success is
 * a 200 carrying a completion; the message never shows the token or the completion.
 */
export async function probeCodeCompletion(
  gateway: Gateway,
  instanceToken: string,
  caller: GatewayCaller,
  requestId: string,
): Promise<Probe> {
  const name = "code_completion";
  let answer: Answer;
  try {
    answer = await ask(gateway, "/v2/code/completions", gateway.completionTimeoutMs, {
      method: "POST",
      headers: {
        authorization: `Bearer ${instanceToken}`,
        "content-type": "application/json",
        ...identityHeaders({ ...caller, realm: "self-managed" }),
        "x-request-id": requestId,
      },
      body: JSON.stringify(TEST_COMPLETION),
    });
  } catch (error) {
    const message = unreachable(gateway, error, gateway.completionTimeoutMs);
    return { name, success: false, message };
  }
  if (answer.status !== 200) {
    return { name, success: false, message: refusal(answer.status, answer.body) };
  }
  if (!hasCompletion(answer.body)) {
    return {
      name,
      success: false,
      message:
        "the AI gateway answered 200 without a completion: check the model server behind it (MODEL_ENDPOINT, MODEL_NAME)",
    };
  }
  return {
    name,
    success: true,
    message: `the AI gateway at ${gateway.url} answered a test completion sent with the instance token`,
  };
}
