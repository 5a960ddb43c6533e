import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusedCredentials } from "../support/refused-credentials.ts";
import {
  NOT_FOUND,
  REVOKED,
  requestToken,
  TOKENS_PATH,
  UNAUTHORIZED,
} from "../support/token-request.ts";
import { verifyCodeSuggestionsToken } from "../support/verify-token.ts";
import { configuredSelfManaged, saasWithServiceAccount } from "./instances.ts";

describe("through a self-managed instance", () => {
  let saas: RunningService<SaasConfig>;
  let selfManaged: RunningService<SelfManagedConfig>;
  let serviceToken: string;
  let serviceAccountId: number;

  beforeAll(async () => {
    const setUp = await saasWithServiceAccount();
    ({ saas, serviceToken } = setUp);
    serviceAccountId = setUp.serviceAccount.id;
    selfManaged = await configuredSelfManaged(saas.url, serviceToken);
  });
  afterAll(async () => {
    await selfManaged.close();
    await saas.close();
  });

  /** The requests SaaS received while `work` ran. */
  async function receivedBySaas(work: () => Promise<unknown>) {
    const before = saas.received.length;
    await work();
    return saas.received.slice(before);
  }

  it("a self-managed user gets a SaaS-signed token for the self-managed realm", async () => {
    const { token } = await selfManaged.fixtures.userWithToken();
    const response = await requestToken(selfManaged.url, token);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = response.body as { access_token: string; expires_in: number; created_at: number };
    expect(body.expires_in).toBe(3600);
    const { payload } = await verifyCodeSuggestionsToken(body.access_token, saas.url);
    expect(payload).toMatchObject({
      aud: "gitlab-code-suggestions",
      iss: saas.config.externalUrl,
      iat: body.created_at,
      nbf: body.created_at - 5,
      exp: body.created_at + 3600,
      gitlab_realm: "self-managed",
      third_party_ai_features_enabled: false,
    });
  });

  it("sends SaaS the service account's token and its own markers, and none of the client's credentials", async () => {
    const { token } = await selfManaged.fixtures.userWithToken();
    let response: Awaited<ReturnType<typeof requestToken>> | undefined;
    const received = await receivedBySaas(async () => {
      response = await requestToken(`${selfManaged.url}`, token, {
        headers: {
          "private-token": token,
          cookie: `_gitlab_session=${token}`,
          "x-forwarded-for": "203.0.113.7",
          "x-custom-client-header": "client-value",
          "x-request-id": "chosen-by-client",
        },
      });
      // Also the query-parameter form, which must not be forwarded either.
      await fetch(`${selfManaged.url}${TOKENS_PATH}?private_token=${token}&other=1`, {
        method: "POST",
      });
    });
    expect(response?.status).toBe(201);
    expect(received).toHaveLength(2);
    const settings = await selfManaged.database.prisma.applicationSetting.findUniqueOrThrow({
      where: { id: 1 },
    });
    for (const request of received) {
      expect(JSON.stringify(request)).not.toContain(token);
      expect(request.url).toBe(TOKENS_PATH);
      expect(request.method).toBe("POST");
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${serviceToken}`,
        "content-type": "application/json",
        "user-agent": expect.stringMatching(/^gitlab-workhorse/),
        "x-gitlab-realm": "self-managed",
        "x-gitlab-instance-id": settings.instanceUuid,
        "x-gitlab-host-name": "localhost",
      });
      expect(request.headers).not.toHaveProperty("private-token");
      expect(request.headers).not.toHaveProperty("cookie");
      expect(request.headers).not.toHaveProperty("x-forwarded-for");
      expect(request.headers).not.toHaveProperty("x-custom-client-header");
    }
    expect(received[0]?.headers["x-request-id"]).toBe(response?.headers.get("x-request-id"));
  });

  it("never sends the client's body to SaaS: the upstream request is empty", async () => {
    const { token } = await selfManaged.fixtures.userWithToken();
    const responses: number[] = [];
    const received = await receivedBySaas(async () => {
      for (const init of [
        {
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `private_token=${token}&editor=vscode`,
        },
        { headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) },
        { headers: { "content-type": "application/json" } },
      ]) {
        responses.push((await requestToken(selfManaged.url, token, init)).status);
      }
    });
    expect(responses).toEqual([201, 201, 201]);
    expect(received).toHaveLength(3);
    for (const request of received) {
      expect(request.headers["content-length"] ?? "0").toBe("0");
      expect(request.headers).not.toHaveProperty("transfer-encoding");
      expect(JSON.stringify(request)).not.toContain(token);
    }
  });

  it("413 to a chunked body over 64 KB, without asking SaaS", async () => {
    const { token } = await selfManaged.fixtures.userWithToken();
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 10 MB, as the attack sent; the server stops reading after 64 KB.
        if (sent >= 10 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    let response: Awaited<ReturnType<typeof requestToken>> | undefined;
    const received = await receivedBySaas(async () => {
      response = await requestToken(selfManaged.url, token, {
        headers: { "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit);
    });
    expect([response?.status, response?.body]).toEqual([
      413,
      { message: "413 Request Entity Too Large" },
    ]);
    expect(received).toEqual([]);
  });

  describe("refuses without asking SaaS", () => {
    it.each(refusedCredentials(() => selfManaged.fixtures))(
      "$why → $status",
      async ({ credential, status, body }) => {
        const token = await credential();
        let response: Awaited<ReturnType<typeof requestToken>> | undefined;
        const received = await receivedBySaas(async () => {
          response = await requestToken(selfManaged.url, token);
        });
        expect([response?.status, response?.body]).toEqual([status, body]);
        expect(received).toEqual([]);
      },
    );

    it("404 while the ops flag code_suggestions_tokens_api is off", async () => {
      const { token } = await selfManaged.fixtures.userWithToken();
      await selfManaged.fixtures.feature("code_suggestions_tokens_api", { enabled: false });
      try {
        const received = await receivedBySaas(async () => {
          expect(await requestToken(selfManaged.url, token)).toMatchObject({
            status: 404,
            body: NOT_FOUND,
          });
        });
        expect(received).toEqual([]);
      } finally {
        await selfManaged.fixtures.forgetFeature("code_suggestions_tokens_api");
      }
    });

    it("404 while instance_level_code_suggestions_enabled is off, then 201 once it is on", async () => {
      const { token } = await selfManaged.fixtures.userWithToken();
      await selfManaged.fixtures.settings({ instanceLevelCodeSuggestionsEnabled: false });
      try {
        const received = await receivedBySaas(async () => {
          expect(await requestToken(selfManaged.url, token)).toMatchObject({
            status: 404,
            body: NOT_FOUND,
          });
        });
        expect(received).toEqual([]);
      } finally {
        await selfManaged.fixtures.settings({ instanceLevelCodeSuggestionsEnabled: true });
      }
      expect((await requestToken(selfManaged.url, token)).status).toBe(201);
    });

    it("404 while no ai_access_token is stored", async () => {
      const { token } = await selfManaged.fixtures.userWithToken();
      await selfManaged.fixtures.settings({ aiAccessToken: "" });
      try {
        const received = await receivedBySaas(async () => {
          expect(await requestToken(selfManaged.url, token)).toMatchObject({
            status: 404,
            body: NOT_FOUND,
          });
        });
        expect(received).toEqual([]);
      } finally {
        await selfManaged.fixtures.settings({ aiAccessToken: serviceToken });
      }
    });

    it.each([
      { marker: "User-Agent", headers: { "user-agent": "gitlab-workhorse v16.2.0" } },
      { marker: "X-Gitlab-Realm", headers: { "x-gitlab-realm": "self-managed" } },
    ] as { marker: string; headers: Record<string, string> }[])(
      "400 to a request that was already proxied ($marker): no loops",
      async ({ headers }) => {
        const { token } = await selfManaged.fixtures.userWithToken();
        const response = await requestToken(selfManaged.url, token, { headers });
        expect([response.status, response.body]).toEqual([
          400,
          { message: "Proxying is only supported to a SaaS instance" },
        ]);
      },
    );
  });

  describe("relays SaaS's refusals unchanged", () => {
    it("401 when the instance-admin flag is off for the service account", async () => {
      const { token } = await selfManaged.fixtures.userWithToken();
      await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
        enabled: false,
        userId: serviceAccountId,
      });
      try {
        const direct = await requestToken(saas.url, serviceToken, {
          headers: { "x-gitlab-realm": "self-managed" },
        });
        const relayed = await requestToken(selfManaged.url, token);
        expect([relayed.status, relayed.body]).toEqual([401, UNAUTHORIZED]);
        expect([relayed.status, relayed.body]).toEqual([direct.status, direct.body]);
        expect(relayed.headers.get("content-type")).toBe(direct.headers.get("content-type"));
      } finally {
        await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
          enabled: true,
          userId: serviceAccountId,
        });
      }
    });

    it("401 with GitLab's revoked-token body when the stored service token was revoked on SaaS", async () => {
      const { token } = await selfManaged.fixtures.userWithToken();
      const { user, token: revokedServiceToken } = await saas.fixtures.userWithToken(
        {},
        { revoked: true },
      );
      await saas.fixtures.feature("code_suggestions_for_instance_admin_enabled", {
        enabled: true,
        userId: user.id,
      });
      await selfManaged.fixtures.settings({ aiAccessToken: revokedServiceToken });
      try {
        const relayed = await requestToken(selfManaged.url, token);
        expect([relayed.status, relayed.body]).toEqual([401, REVOKED]);
        expect(relayed.headers.get("www-authenticate")).toBeNull();
      } finally {
        await selfManaged.fixtures.settings({ aiAccessToken: serviceToken });
      }
    });
  });

  it("never writes a token into its logs", async () => {
    const { token } = await selfManaged.fixtures.userWithToken();
    await requestToken(selfManaged.url, token);
    await fetch(`${selfManaged.url}${TOKENS_PATH}?private_token=${token}`, { method: "POST" });
    const logs = [...selfManaged.logs, ...saas.logs].join("");
    for (const secret of [token, serviceToken]) expect(logs).not.toContain(secret.slice(6));
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  });
});
