import type { SaasConfig } from "@token-broker/saas/config";
import type { RunningService } from "@token-broker/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSaas } from "../support/services.ts";
import { completionBody } from "./support/language-server.ts";
import { type RecordingGateway, startRecordingGateway } from "./support/recording-gateway.ts";

let gateway: RecordingGateway;
let saas: RunningService<SaasConfig>;
let token: string;
beforeAll(async () => {
  gateway = await startRecordingGateway();
  saas = await startSaas({ env: { AI_GATEWAY_URL: gateway.url } });
  ({ token } = await saas.fixtures.userWithToken());
});
afterAll(async () => {
  await saas?.close();
  await gateway?.close();
});

const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

const BODIES: [string, string, string][] = [
  ["/completions", "nested 10,000 levels deep", `{"telemetry":${deep(10_000)}}`],
  ["/completions", "prototype poisoning", '{"__proto__":{"admin":true},"current_file":{}}'],
  ["/completions", "wrong types", '{"current_file":{"file_name":1,"content_above_cursor":[]}}'],
  [
    "/completions",
    "an out-of-range project id",
    JSON.stringify(completionBody("x", "", { project_id: 2 ** 53 })),
  ],
  [
    "/completions",
    "context over its count",
    JSON.stringify(
      completionBody("x", "", {
        context: Array(101).fill({ type: "file", name: "a", content: "b" }),
      }),
    ),
  ],
  ["/completions", "a NUL in the code", JSON.stringify(completionBody("a\u0000b"))],
  ["/completions", "a body of 5 MB", JSON.stringify(completionBody("x".repeat(5 * 1024 * 1024)))],
  ["/completions", "not JSON", "current_file=x"],
  ["/direct_access", "nested 10,000 levels deep", `{"project_path":${deep(10_000)}}`],
  ["/direct_access", "a body of 8 KB", JSON.stringify({ project_path: "x".repeat(8 * 1024) })],
  ["/direct_access", "a project path that is not a string", '{"project_path":{"a":1}}'],
];

it.each(BODIES)(
  "POST /api/v4/code_suggestions%s refuses %s with a 4xx, never a 500, and asks no gateway",
  async (route, _why, body) => {
    const before = gateway.received.length;
    const response = await fetch(`${saas.url}/api/v4/code_suggestions${route}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get("x-gitlab-error-origin")).toBe("monolith");
    expect(gateway.received.length).toBe(before);
  },
);
