import { createHash, randomUUID } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import {
  type ModelServer,
  type ModelServerOptions,
  type RunningService,
  startModelServer,
} from "@token-broker/testing";
import { afterAll, beforeAll } from "vitest";
import { requestInstanceToken } from "../instance-token/gateway-token.ts";
import { configuredSelfManaged, saasWithServiceAccount } from "../self-managed-proxy/instances.ts";
import { requestToken } from "../support/token-request.ts";
import {
  type GatewayStartOptions,
  type RunningGateway,
  startAiGateway,
} from "./running-gateway.ts";

export interface GatewayWorld {
  readonly saas: RunningService<SaasConfig>;
  readonly selfManaged: RunningService<SelfManagedConfig>;
  /** SaaS's service account token (what self-managed stores as ai_access_token). */
  readonly serviceToken: string;
  readonly model: ModelServer;
  readonly gateway: RunningGateway;
}

export interface WorldOptions {
  readonly model?: ModelServerOptions;
  /** The gateway's environment on top of trusting SaaS and asking the stand-in. */
  readonly env?: Record<string, string>;
  readonly gateway?: Omit<GatewayStartOptions, "env">;
}

/** The gateway's environment: SaaS trusted, the stand-in as its model. */
export function gatewayEnv(world: { saas: { url: string }; model: { url: string } }) {
  return {
    AI_GATEWAY_TRUSTED_ISSUERS: world.saas.url,
    MODEL_ENDPOINT: world.model.url,
    MODEL_NAME: "stand-in-coder",
  };
}

/**
 * The participants of the Cloud Connector flow, started before the file's tests: SaaS with
 * a service account, a self-managed instance holding its token, the model stand-in, and the
 * gateway trusting SaaS and asking the stand-in.
 */
export function useGatewayWorld(options: WorldOptions = {}) {
  let world: GatewayWorld | undefined;
  beforeAll(async () => {
    const { saas, serviceToken } = await saasWithServiceAccount();
    const selfManaged = await configuredSelfManaged(saas.url, serviceToken);
    const model = await startModelServer(options.model);
    const gateway = await startAiGateway({
      ...options.gateway,
      env: { ...gatewayEnv({ saas, model }), ...options.env },
    });
    world = { saas, selfManaged, serviceToken, model, gateway };
  });
  afterAll(async () => {
    await world?.gateway.close();
    await world?.model.close();
    await world?.selfManaged.close();
    await world?.saas.close();
  });
  return (): GatewayWorld => {
    if (world === undefined) throw new Error("useGatewayWorld(): not started yet");
    return world;
  };
}

/** The 16.1–16.2 token, as the seed's editor gets it: from self-managed, relayed to SaaS. */
export async function legacyToken(world: GatewayWorld): Promise<string> {
  const { token } = await world.selfManaged.fixtures.userWithToken();
  const response = await requestToken(world.selfManaged.url, token);
  if (response.status !== 201) throw new Error(`no legacy token: ${response.status}`);
  return (response.body as { access_token: string }).access_token;
}

/** An instance token from SaaS for a self-managed instance, and the headers that go with it. */
export async function instanceToken(world: GatewayWorld, instanceId: string = randomUUID()) {
  const response = await requestInstanceToken(world.saas.url, world.serviceToken, { instanceId });
  if (response.status !== 201) throw new Error(`no instance token: ${response.status}`);
  const { token } = response.body as { token: string };
  return { token, instanceId, headers: cloudConnectorHeaders(instanceId, "self-managed") };
}

/** GitLab's global user id: hex(sha256(instance_uuid + user_id)). */
export function globalUserId(instanceId: string, userId: number): string {
  return createHash("sha256").update(`${instanceId}${userId}`).digest("hex");
}

/** The headers a self-managed instance sends with its instance token. */
export function cloudConnectorHeaders(
  instanceId: string,
  realm: string,
  userId = 7,
): Record<string, string> {
  return {
    "x-gitlab-authentication-type": "oidc",
    "x-gitlab-instance-id": instanceId,
    "x-gitlab-realm": realm,
    "x-gitlab-global-user-id": globalUserId(instanceId, userId),
  };
}

/** A user token from the gateway for direct access, minted with an instance token. */
export async function userToken(world: GatewayWorld, instanceId: string = randomUUID()) {
  const issued = await instanceToken(world, instanceId);
  const response = await gatewayPost(world.gateway.url, "/v1/code/user_access_token", {
    token: issued.token,
    headers: issued.headers,
  });
  if (response.status !== 200)
    throw new Error(`no user token: ${response.status} ${response.text}`);
  return { token: (response.json as { token: string }).token, headers: issued.headers, instanceId };
}

export const PREFIX = "def add(a, b):\n    ";
export const SUFFIX = "\n\nprint(add(1, 2))\n";

/** A completion request body as GitLab's clients send it. */
export function completionBody(overrides: Record<string, unknown> = {}) {
  return {
    current_file: {
      file_name: "math.py",
      content_above_cursor: PREFIX,
      content_below_cursor: SUFFIX,
      language_identifier: "python",
    },
    project_path: "group/project",
    prompt_version: 1,
    ...overrides,
  };
}

export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** POST to the gateway with a bearer token (unless `authorization` says otherwise). */
export async function gatewayPost(
  baseUrl: string,
  path: string,
  options: {
    token?: string;
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    signal?: AbortSignal;
  } = {},
): Promise<GatewayAnswer> {
  const headers = new Headers(options.headers);
  if (options.token !== undefined) headers.set("authorization", `Bearer ${options.token}`);
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  if (hasBody && !headers.has("content-type")) headers.set("content-type", "application/json");
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers,
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Legacy-token requests carry only the OIDC type header, as the seed's editor sent it. */
export const OIDC = { "x-gitlab-authentication-type": "oidc" };

/** Polls `condition` until it holds (or fails the test after `timeoutMs`). */
export async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
