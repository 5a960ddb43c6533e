import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fixedToken, spawnService } from "@token-broker/testing";
import { expect, it, vi } from "vitest";
import { saasWithServiceAccount } from "../self-managed-proxy/instances.ts";
import { INSTANCE_TOKEN_PATH } from "./gateway-token.ts";

/**
 * The embedded database has no change notifications: a changed ai_access_token must still
 * fetch a new instance token at once (one process, the settings changed through its API).
 */
it("with the embedded database, a changed ai_access_token is used at the next use", async () => {
  const { saas, serviceToken } = await saasWithServiceAccount();
  const other = await saas.fixtures.userWithToken({}, { scopes: ["ai_features"] });
  await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
    enabled: true,
    userId: other.user.id,
  });
  const dataDir = await mkdtemp(path.join(tmpdir(), "instance-token-embedded-"));
  const rootToken = fixedToken("EmbeddedRoot");
  const selfManaged = spawnService("self-managed", {
    PORT: "0",
    DATA_DIR: dataDir,
    DB_KEY_BASE: "embedded-instance-token-key-base-0123456789",
    INITIAL_ROOT_TOKEN: rootToken,
    SAAS_URL: saas.url,
    SHUTDOWN_DRAIN_DELAY_MS: "0",
  });
  try {
    const url = await selfManaged.listening();
    const headers = { "private-token": rootToken, "content-type": "application/json" };
    const settings = (body: Record<string, unknown>) =>
      fetch(`${url}/api/v4/application/settings`, {
        method: "PUT",
        headers,
        body: JSON.stringify(body),
      });
    const healthCheck = async () => {
      const response = await fetch(`${url}/api/v4/code_suggestions/health_check`, { headers });
      const { probes } = (await response.json()) as {
        probes: { name: string; success: boolean }[];
      };
      return probes.find((probe) => probe.name === "instance_token");
    };
    const fetchedWith = (token: string) =>
      saas.received.filter(
        (request) =>
          request.url === INSTANCE_TOKEN_PATH &&
          request.headers.authorization === `Bearer ${token}`,
      ).length;

    expect(
      (
        await settings({
          instance_level_code_suggestions_enabled: true,
          ai_access_token: serviceToken,
        })
      ).status,
    ).toBe(200);
    expect(await healthCheck()).toMatchObject({ success: true });
    expect(fetchedWith(serviceToken)).toBe(1);

    expect((await settings({ ai_access_token: other.token })).status).toBe(200);
    expect(await healthCheck()).toMatchObject({ success: true });
    await vi.waitFor(() => expect(fetchedWith(other.token)).toBe(1), {
      timeout: 10_000,
      interval: 20,
    });
    expect(fetchedWith(serviceToken)).toBe(1);
  } finally {
    await selfManaged.stop();
    await saas.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
