import { expect, it } from "vitest";
import { isProxiedRequest, proxyMarkers } from "../src/proxied-request.ts";

it.each([
  { userAgent: "gitlab-workhorse v16.1.0", realm: undefined, proxied: true },
  { userAgent: "gitlab-workhorse", realm: undefined, proxied: true },
  { userAgent: undefined, realm: "self-managed", proxied: true },
  { userAgent: "curl/8.5.0", realm: "self-managed", proxied: true },
  { userAgent: "curl/8.5.0", realm: undefined, proxied: false },
  { userAgent: "my-gitlab-workhorse", realm: "saas", proxied: false },
  { userAgent: undefined, realm: undefined, proxied: false },
])("User-Agent $userAgent, realm $realm → proxied $proxied", ({ userAgent, realm, proxied }) => {
  expect(isProxiedRequest({ userAgent, realm })).toBe(proxied);
});

it.each([
  { headers: { "user-agent": "gitlab-workhorse v16.1.0" }, proxied: true },
  { headers: { "x-gitlab-realm": ["self-managed", "saas"] }, proxied: true },
  { headers: { "x-gitlab-realm": ["saas", "self-managed"] }, proxied: false },
  { headers: { "user-agent": "curl/8.5.0" }, proxied: false },
  { headers: {}, proxied: false },
])(
  "headers $headers → proxied $proxied (the first value of a repeated header)",
  ({ headers, proxied }) => {
    expect(isProxiedRequest(proxyMarkers(headers))).toBe(proxied);
  },
);
