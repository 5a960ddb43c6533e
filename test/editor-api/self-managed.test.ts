import type { SaasConfig } from "@token-broker/saas/config";
import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configuredSelfManaged, saasWithServiceAccount } from "../self-managed-proxy/instances.ts";
import { completionBody, languageServer } from "./support/language-server.ts";
import { type RecordingGateway, startRecordingGateway } from "./support/recording-gateway.ts";

let gateway: RecordingGateway;
let saas: RunningService<SaasConfig>;
let serviceToken: string;
let selfManaged: RunningService<SelfManagedConfig>;
let saasStopped = false;
beforeAll(async () => {
  gateway = await startRecordingGateway();
  ({ saas, serviceToken } = await saasWithServiceAccount());
  selfManaged = await configuredSelfManaged(saas.url, serviceToken, {
    AI_GATEWAY_URL: gateway.url,
  });
});
afterAll(async () => {
  await selfManaged?.close();
  if (!saasStopped) await saas?.close();
  await gateway?.close();
});

async function developer(service = selfManaged) {
  const { token } = await service.fixtures.userWithToken();
  return languageServer(service.url, token);
}

const bearer = (headers: Readonly<Record<string, unknown>> | undefined) =>
  String(headers?.authorization).replace(/^Bearer /, "");

describe("the editor API on a self-managed instance", () => {
  it("sends the instance token from SaaS, realm self-managed, and keeps using it while SaaS is down", async () => {
    const ls = await developer();
    const before = gateway.received.length;
    expect((await ls.completion(completionBody("x"))).status).toBe(200);
    const [first] = gateway.received.slice(before);
    const { instanceUuid } = await selfManaged.database.prisma.applicationSetting.findUniqueOrThrow(
      {
        where: { id: 1 },
      },
    );
    expect(first?.headers).toMatchObject({
      "x-gitlab-realm": "self-managed",
      "x-gitlab-instance-id": instanceUuid,
    });
    expect(decodeJwt(bearer(first?.headers))).toMatchObject({
      iss: saas.config.externalUrl,
      aud: ["gitlab-ai-gateway"],
      sub: instanceUuid,
      gitlab_realm: "self-managed",
      gitlab_instance_id: instanceUuid,
    });
    expect(bearer(first?.headers)).not.toBe(serviceToken);

    // SaaS stops: the held token still serves completions and direct access.
    await saas.close();
    saasStopped = true;
    expect((await ls.completion(completionBody("x"))).status).toBe(200);
    expect((await ls.directAccess()).status).toBe(201);
    const held = gateway.received.slice(before + 1);
    expect(held.map((request) => bearer(request.headers))).toEqual([
      bearer(first?.headers),
      bearer(first?.headers),
    ]);
  });

  it("answers 401 unless Code Suggestions is on and a service token is stored, before the body", async () => {
    const settingsOff = await configuredSelfManaged(
      "http://127.0.0.1:9",
      "glpat-serviceaccount0000",
      {
        AI_GATEWAY_URL: gateway.url,
      },
    );
    try {
      const ls = await developer(settingsOff);
      for (const change of [
        { instanceLevelCodeSuggestionsEnabled: false },
        { instanceLevelCodeSuggestionsEnabled: true, aiAccessToken: "" },
      ]) {
        await settingsOff.fixtures.settings(change);
        await expect.poll(async () => (await ls.directAccess()).status).toBe(401);
        const response = await ls.completion({ not: "a completion" });
        expect([response.status, await response.json()]).toEqual([
          401,
          { message: "401 Unauthorized" },
        ]);
        expect(response.headers.get("x-gitlab-error-origin")).toBe("monolith");
      }
    } finally {
      await settingsOff.close();
    }
  });

  it("answers 503 when it holds no instance token and SaaS cannot give one", async () => {
    const unreachable = await configuredSelfManaged(
      "http://127.0.0.1:9",
      "glpat-serviceaccount0000",
      {
        AI_GATEWAY_URL: gateway.url,
      },
    );
    try {
      const ls = await developer(unreachable);
      const before = gateway.received.length;
      for (const answer of [
        await ls.completion(completionBody("x")),
        await fetch(`${unreachable.url}/api/v4/code_suggestions/direct_access`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${(await unreachable.fixtures.userWithToken()).token}`,
          },
        }),
      ]) {
        expect([answer.status, await answer.json()]).toEqual([
          503,
          { message: "503 Service Unavailable" },
        ]);
        expect(answer.headers.get("x-gitlab-error-origin")).toBe("monolith");
      }
      expect(gateway.received.length).toBe(before);
    } finally {
      await unreachable.close();
    }
  });
});
