import type { SelfManagedConfig } from "@token-broker/self-managed/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSelfManaged } from "../support/services.ts";
import { DOCUMENTS, languageServer } from "./support/language-server.ts";

const INTROSPECTION = `query IntrospectionQuery {
  __schema {
    queryType { name }
    types { ...FullType }
  }
}
fragment FullType on __Type {
  kind name
  fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } }
}
fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`;

let selfManaged: RunningService<SelfManagedConfig>;
beforeAll(async () => {
  // SaaS is never asked here: GraphQL answers from the instance's own state.
  selfManaged = await startSelfManaged("http://127.0.0.1:9");
});
afterAll(async () => {
  await selfManaged?.close();
});

async function developer() {
  const { user, token } = await selfManaged.fixtures.userWithToken();
  return { user, token, ls: languageServer(selfManaged.url, token) };
}

describe("POST /api/graphql", () => {
  it("answers a refused token with GraphQL's error, never the query's data", async () => {
    const { token: revoked } = await selfManaged.fixtures.userWithToken({}, { revoked: true });
    for (const token of ["glpat-unknownunknown0000", revoked]) {
      const answer = await languageServer(selfManaged.url, token).graphql(DOCUMENTS.getUser);
      expect([answer.status, answer.json]).toEqual([
        401,
        { errors: [{ message: "Invalid token" }] },
      ]);
    }
    const anonymous = await fetch(`${selfManaged.url}/api/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: DOCUMENTS.getUser }),
    });
    expect([anonymous.status, await anonymous.json()]).toEqual([
      401,
      { errors: [{ message: "Invalid token" }] },
    ]);
  });

  it("reports Code Suggestions available only while the instance setting is on and a token is stored", async () => {
    const { ls } = await developer();
    const available = async () =>
      (
        (await ls.graphql(DOCUMENTS.suggestionsAvailable)).json as {
          data: { currentUser: { duoCodeSuggestionsAvailable: boolean } };
        }
      ).data.currentUser.duoCodeSuggestionsAvailable;
    expect(await available()).toBe(false);
    await selfManaged.fixtures.settings({
      instanceLevelCodeSuggestionsEnabled: true,
      aiAccessToken: "glpat-serviceaccount0000",
    });
    await expect.poll(available).toBe(true);
    await selfManaged.fixtures.settings({ aiAccessToken: "" });
    await expect.poll(available).toBe(false);
  });

  it("answers featureFlagEnabled with the instance's feature flags, per user", async () => {
    const { user, ls } = await developer();
    const flag = async (name: string) =>
      (
        (await ls.graphql(DOCUMENTS.featureFlagsEnabled, { name })).json as {
          data: { featureFlagEnabled: boolean };
        }
      ).data.featureFlagEnabled;
    const perUser = "code_suggestions_for_instance_admin_enabled";
    expect(await flag("code_suggestions_tokens_api")).toBe(true);
    // Flags this instance does not have are off (the language server asks for several).
    expect(await flag("advanced_context_resolver")).toBe(false);
    expect(await flag(perUser)).toBe(false);
    await selfManaged.fixtures.feature(perUser, { enabled: true, userId: user.id });
    await expect.poll(() => flag(perUser)).toBe(true);
    const other = languageServer(selfManaged.url, (await developer()).token);
    expect((await other.graphql(DOCUMENTS.featureFlagsEnabled, { name: perUser })).json).toEqual({
      data: { featureFlagEnabled: false },
    });
    expect(await flag("x".repeat(300))).toBe(false);
  });

  it("allows introspection, and bounds depth, size and tokens", async () => {
    const { ls } = await developer();
    const schema = await ls.graphql(INTROSPECTION);
    expect(schema.status).toBe(200);
    const types = (schema.json as { data: { __schema: { types: { name: string }[] } } }).data
      .__schema.types;
    expect(types.map((type) => type.name)).toEqual(
      expect.arrayContaining(["Query", "CurrentUser"]),
    );

    const deep = `query { __schema { types { ${"ofType { ".repeat(20)}name${" }".repeat(20)} } } }`;
    const tooDeep = await ls.graphql(deep);
    expect(tooDeep.status).toBe(400);
    expect(JSON.stringify(tooDeep.json)).toMatch(/exceeds the query depth limit/);

    const manyTokens = `query { ${"a{b}".repeat(700)} }`;
    const refused = await ls.graphql(manyTokens);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      errors: [expect.objectContaining({ message: expect.any(String) })],
    });

    const tooLong = await ls.graphql(`query { currentUser { id } } #${"x".repeat(20_000)}`);
    expect([tooLong.status, tooLong.json]).toEqual([
      400,
      { errors: [{ message: "Invalid GraphQL request: query" }] },
    ]);
    const tooLarge = await ls.graphql("query { currentUser { id } }", {
      padding: "x".repeat(40_000),
    });
    expect(tooLarge.status).toBe(413);
  });

  it("answers a malformed or unknown query with GraphQL's errors, never a 500", async () => {
    const { ls } = await developer();
    for (const query of ["query {", "query { projects { id } }"]) {
      const answer = await ls.graphql(query);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.json).toMatchObject({
        errors: [expect.objectContaining({ message: expect.any(String) })],
      });
    }
    // No mutations here: GraphQL's own error, answered as its result.
    expect((await ls.graphql("mutation { x }")).json).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message: "Schema is not configured to execute mutation operation.",
        }),
      ],
    });
    const missingVariable = await ls.graphql(DOCUMENTS.featureFlagsEnabled);
    expect(missingVariable.status).toBe(400);
    const notJson = await fetch(`${selfManaged.url}/api/graphql`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${(await developer()).token}`,
        "content-type": "application/json",
      },
      body: "{not json",
    });
    expect([notJson.status, await notJson.json()]).toEqual([
      400,
      { errors: [{ message: "400 Bad Request" }] },
    ]);
    const nul = await ls.graphql(DOCUMENTS.featureFlagsEnabled, { name: "a\u0000b" });
    expect([nul.status, nul.json]).toEqual([400, { errors: [{ message: "400 Bad Request" }] }]);
  });
});
