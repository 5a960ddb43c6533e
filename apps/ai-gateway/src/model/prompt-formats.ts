export const PROMPT_FORMATS = [
  "suffix",
  "codestral",
  "codellama",
  "codegemma",
  "qwen",
  "starcoder",
] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];
