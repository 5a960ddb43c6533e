import type { InstanceConfig } from "@token-broker/instance";
import type { RunningService } from "@token-broker/testing";
import { describe, expect, it } from "vitest";
import { useEditorWorld } from "./support/editor-world.ts";
import {
  completionBody,
  DOCUMENTS,
  directCompletion,
  LANGUAGE_SERVER_FLAGS,
  languageServer,
} from "./support/language-server.ts";

const world = useEditorWorld({ model: { completion: "return a + b", chunks: 4 } });

const services: [string, () => RunningService<InstanceConfig>, string][] = [
  ["self-managed", () => world().selfManaged, "self-managed"],
  ["SaaS", () => world().saas, "saas"],
];

const PREFIX = "def add(a, b):\n    ";
const SUFFIX = "\n\nprint(add(1, 2))\n";

/** The settings row of a service, changed as an administrator would (the API has its own tests). */
async function setDirectDisabled(service: RunningService<InstanceConfig>, disabled: boolean) {
  await service.database.prisma.applicationSetting.update({
    where: { id: 1 },
    data: { disabledDirectCodeSuggestions: disabled },
  });
}

describe.each(services)("the GitLab language server against %s", (_name, service, realm) => {
  it("starts: its token, the version, its GraphQL queries", async () => {
    const { user, token } = await service().fixtures.userWithToken();
    const ls = languageServer(service().url, token);

    const self = await ls.get("/personal_access_tokens/self");
    expect(self.status).toBe(200);
    expect(self.json).toMatchObject({ scopes: ["api"], active: true, revoked: false });

    const version = await ls.get("/version");
    expect([version.status, (version.json as { version: string }).version]).toEqual([
      200,
      "17.2.0",
    ]);

    for (const name of LANGUAGE_SERVER_FLAGS) {
      const flag = await ls.graphql(DOCUMENTS.featureFlagsEnabled, { name });
      expect([flag.status, flag.json]).toEqual([200, { data: { featureFlagEnabled: false } }]);
    }
    const available = await ls.graphql(DOCUMENTS.suggestionsAvailable);
    expect(available.json).toEqual({
      data: { currentUser: { duoCodeSuggestionsAvailable: true } },
    });
    const chat = await ls.graphql(DOCUMENTS.chatAvailable);
    expect(chat.json).toEqual({ data: { currentUser: { duoChatAvailable: false } } });
    const me = await ls.graphql(DOCUMENTS.getUser);
    expect(me.json).toEqual({
      data: {
        currentUser: {
          id: `gid://gitlab/User/${user.id}`,
          username: user.username,
          name: user.name,
        },
      },
    });
    const project = await ls.graphql(DOCUMENTS.getProject, { projectPath: "group/project" });
    expect(project.json).toEqual({ data: { project: null } });
  });

  it("completes directly at the gateway with what direct_access gave", async () => {
    const { token } = await service().fixtures.userWithToken();
    const ls = languageServer(service().url, token);
    const access = await ls.directAccess();
    expect(access.status).toBe(201);
    const details = access.json as {
      base_url: string;
      token: string;
      expires_at: number;
      headers: Record<string, string>;
    };
    expect(details.base_url).toBe(world().gateway.url);
    expect(details.headers["X-Gitlab-Realm"]).toBe(realm);
    expect(details.expires_at).toBeGreaterThan(Date.now() / 1000);

    const before = world().model.received.length;
    const completion = await directCompletion(details, completionBody(PREFIX, SUFFIX));
    expect(completion.status).toBe(200);
    expect(completion.json).toMatchObject({
      object: "text_completion",
      choices: [{ text: "return a + b", index: 0, finish_reason: "length" }],
    });
    const [asked] = world().model.received.slice(before);
    expect(asked?.body).toMatchObject({ prompt: PREFIX, suffix: SUFFIX });
  });

  it("falls back to /completions when the direct path fails", async () => {
    const { token } = await service().fixtures.userWithToken();
    const ls = languageServer(service().url, token);
    const access = await ls.directAccess();
    const details = access.json as {
      base_url: string;
      token: string;
      headers: Record<string, string>;
    };
    // A token the gateway does not take (cut short): the direct request is refused.
    const refused = await directCompletion(
      { ...details, token: details.token.slice(0, -4) },
      completionBody(PREFIX),
    );
    expect(refused.status).toBe(401);
    const fallback = await ls.completion(completionBody(PREFIX, SUFFIX));
    expect(fallback.status).toBe(200);
    expect(await fallback.json()).toMatchObject({ choices: [{ text: "return a + b" }] });

    // Direct connections turned off: direct_access refuses, completions still answer.
    await setDirectDisabled(service(), true);
    try {
      await expect.poll(async () => (await ls.directAccess()).status).toBe(403);
      expect((await ls.completion(completionBody(PREFIX))).status).toBe(200);
    } finally {
      await setDirectDisabled(service(), false);
    }
  });

  it("streams a generation through the instance as the gateway's SSE events", async () => {
    const { token } = await service().fixtures.userWithToken();
    const ls = languageServer(service().url, token);
    const response = await ls.completion(
      completionBody("# add two numbers\n", "", { intent: "generation", stream: true }),
      { "x-supports-sse-streaming": "true" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-streaming-format")).toBe("sse");
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map(([, name]) => name);
    expect(events[0]).toBe("stream_start");
    expect(events.at(-1)).toBe("stream_end");
    expect(events.filter((name) => name === "content_chunk").length).toBeGreaterThan(1);
    const content = [...text.matchAll(/^data: (\{"choices".*)$/gm)]
      .map(([, data]) => JSON.parse(data ?? "{}").choices[0].delta.content)
      .join("");
    expect(content).toBe("return a + b");
  });
});
