import { describe, expect, it } from "vitest";
import {
  createTokenDigester,
  generatePersonalAccessToken,
  isWellFormedToken,
} from "../src/personal-access-token.ts";

describe("personal access tokens", () => {
  it("are glpat- followed by 20 URL-safe characters, different every time", () => {
    const tokens = Array.from({ length: 200 }, generatePersonalAccessToken);
    for (const token of tokens) expect(token).toMatch(/^glpat-[A-Za-z0-9_-]{20}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it.each([
    { token: "glpat-abcdefghij0123456789", wellFormed: true },
    { token: "glpat-abc_defghij-123456789", wellFormed: false },
    { token: "glpat-abc_defghi-123456789", wellFormed: true },
    { token: "glpat-abcdefghij012345678", wellFormed: false },
    { token: "glpat-abcdefghij0123456789x", wellFormed: false },
    { token: "gldt-abcdefghij0123456789", wellFormed: false },
    { token: "glpat-abcdefghij01234567+9", wellFormed: false },
    { token: " glpat-abcdefghij0123456789", wellFormed: false },
    { token: "", wellFormed: false },
  ])("$token is well formed: $wellFormed", ({ token, wellFormed }) => {
    expect(isWellFormedToken(token)).toBe(wellFormed);
  });

  it("are stored as a keyed digest: the same for one key base, different for another", () => {
    const token = generatePersonalAccessToken();
    const digest = createTokenDigester("k".repeat(32));
    expect(digest(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(token)).toBe(digest(token));
    expect(digest(token)).not.toContain(token.slice(6));
    expect(createTokenDigester("l".repeat(32))(token)).not.toBe(digest(token));
  });
});
