import { describe, expect, it } from "vitest";
import { ipAllowlist } from "../src/metrics/ip-allowlist.ts";

describe("metrics allowlist", () => {
  const allowed = ipAllowlist(["127.0.0.0/8", "::1/128", "10.1.2.3"]);

  it.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["::ffff:127.0.0.1", true],
    ["::1", true],
    ["10.1.2.3", true],
    ["10.1.2.4", false],
    ["192.168.0.1", false],
    ["::2", false],
    ["not an address", false],
  ])("%s → %s", (ip, expected) => {
    expect(allowed(ip)).toBe(expected);
  });
});
