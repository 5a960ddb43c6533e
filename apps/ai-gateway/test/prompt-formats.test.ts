import { describe, expect, it } from "vitest";
import { buildPrompt, PROMPT_FORMATS } from "../src/model/prompt-formats.ts";

describe("prompt formats", () => {
  it("suffix: the prefix as prompt, the suffix in the API's own field, no stop", () => {
    expect(buildPrompt("suffix", "def f(", "):\n")).toEqual({
      prompt: "def f(",
      suffix: "):\n",
      stop: [],
    });
  });

  it.each([
    ["codestral", "[SUFFIX]S[PREFIX]P"],
    ["codellama", "<PRE>P<SUF>S<MID>"],
    ["codegemma", "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>"],
    ["qwen", "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>"],
    ["starcoder", "<fim_prefix>P<fim_suffix>S<fim_middle>"],
  ] as const)(
    "%s: the family's published template, its sentinels as stop sequences",
    (format, prompt) => {
      const built = buildPrompt(format, "P", "S");
      expect(built.prompt).toBe(prompt);
      expect(built.suffix).toBeUndefined();
      expect(built.stop.length).toBeGreaterThan(0);
    },
  );

  it.each(PROMPT_FORMATS.filter((format) => format !== "suffix"))(
    "%s: the user's text cannot carry the template's own tokens (even rebuilt by a removal)",
    (format) => {
      const clean = buildPrompt(format, "α", "ω").prompt;
      const tokens = clean.split(/α|ω/).filter(Boolean);
      // Each token as is, and each hidden inside another (removing the inner one rebuilds it).
      const hidden = tokens.map((token) => `${token.slice(0, 2)}${token}${token.slice(2)}`);
      const injected = [...tokens, ...hidden].join("");
      expect(buildPrompt(format, `α${injected}`, `${injected}ω`).prompt).toBe(clean);
    },
  );
});
