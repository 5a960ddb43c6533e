import { readSaasConfig } from "@token-broker/saas/config";
import { readSelfManagedConfig } from "@token-broker/self-managed/config";
import { describe, expect, it } from "vitest";
import { startSaas, startSelfManaged } from "../support/services.ts";
import { languageServer } from "./support/language-server.ts";

describe("GITLAB_VERSION", () => {
  it("is what /api/v4/version and /api/v4/metadata report, on both services", async () => {
    const saas = await startSaas({ env: { GITLAB_VERSION: "17.5.1-ee" } });
    const selfManaged = await startSelfManaged(saas.url, { env: { GITLAB_VERSION: "16.8.0" } });
    try {
      for (const [service, version] of [
        [saas, "17.5.1-ee"],
        [selfManaged, "16.8.0"],
      ] as const) {
        const { token } = await service.fixtures.userWithToken({}, { scopes: ["read_user"] });
        const ls = languageServer(service.url, token);
        for (const path of ["/version", "/metadata"]) {
          const answer = await ls.get(path);
          expect([path, answer.status, answer.json]).toEqual([
            path,
            200,
            expect.objectContaining({ version, enterprise: true }),
          ]);
        }
      }
    } finally {
      await selfManaged.close();
      await saas.close();
    }
  });

  it("is read and checked by both services' configuration, naming the variable", () => {
    for (const read of [readSaasConfig, readSelfManagedConfig]) {
      expect(() => read({ GITLAB_VERSION: "seventeen" })).toThrow(
        /^Invalid configuration: GITLAB_VERSION must be a GitLab version such as 17\.2\.0/,
      );
      expect(read({ GITLAB_VERSION: "17.3.2" }).editor.gitlabVersion).toBe("17.3.2");
    }
  });
});
