import { randomBytes } from "node:crypto";
import type { SaasConfig } from "@token-broker/saas/config";
import { fixedToken, type RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, expect } from "vitest";
import { type ApiCall, apiClient } from "../support/api-client.ts";
import { startSaas } from "../support/services.ts";

export const ROOT_TOKEN = fixedToken("AdminApiRoot");
export const FORBIDDEN = { message: "403 Forbidden" };
export const unique = (prefix: string) => `${prefix}${randomBytes(5).toString("hex")}`;

interface AdminApi {
  readonly saas: RunningService<SaasConfig>;
  /** Calls the API as root. */
  readonly admin: ApiCall;
}

let current: AdminApi | undefined;

/** A SaaS instance for the test file, with root's token; started before its tests, closed after. */
export function useAdminApi(): AdminApi {
  beforeAll(async () => {
    const saas = await startSaas({ env: { INITIAL_ROOT_TOKEN: ROOT_TOKEN } });
    current = { saas, admin: apiClient(saas.url, ROOT_TOKEN) };
  });
  afterAll(() => current?.saas.close());
  return {
    get saas() {
      return started().saas;
    },
    get admin() {
      return started().admin;
    },
  };
}

function started(): AdminApi {
  if (current === undefined) throw new Error("useAdminApi(): the instance has not started yet");
  return current;
}

export async function newUser(fields: Record<string, unknown> = {}) {
  const username = unique("user");
  const { status, body } = await started().admin("POST", "/users", {
    json: { username, email: `${username}@example.com`, name: `User ${username}`, ...fields },
  });
  expect(status).toBe(201);
  return body as { id: number; username: string; email: string };
}

export async function tokenFor(userId: number, scopes: string[] = ["api"]) {
  const { status, body } = await started().admin(
    "POST",
    `/users/${userId}/personal_access_tokens`,
    {
      json: { name: "test", scopes },
    },
  );
  expect(status).toBe(201);
  return body as { id: number; token: string };
}

export async function nonAdmin() {
  const user = await newUser();
  const { token } = await tokenFor(user.id);
  return { user, token, call: apiClient(started().saas.url, token) };
}
