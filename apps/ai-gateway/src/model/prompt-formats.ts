/**
 * How the text around the cursor becomes a prompt for `POST /v1/completions`, per model
 * family. Each fill-in-the-middle template is the family's published format; the sentinel
 * tokens are written as text, which the model server's tokenizer turns into the special
 * tokens. The beginning-of-sequence token is not written: servers add it when they tokenize.
 */
export const PROMPT_FORMATS = [
  "suffix",
  "codestral",
  "codellama",
  "codegemma",
  "qwen",
  "starcoder",
] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

export interface Prompt {
  readonly prompt: string;
  /** The API's own `suffix` field (format `suffix` only). */
  readonly suffix?: string;
  /** Where the model stops: the family's end and sentinel tokens. */
  readonly stop: readonly string[];
}

interface Template {
  /** Tokens that must not reach the model from the user's text (they would restructure it). */
  readonly sentinels: readonly string[];
  readonly build: (prefix: string, suffix: string) => string;
  readonly stop: readonly string[];
}

const TEMPLATES: Readonly<Record<Exclude<PromptFormat, "suffix">, Template>> = {
  // Mistral's reference tokenizer (mistral-common, as its cookbook documents FIM for
  // tokenizers V2/V3: "<s>[SUFFIX]suffix[PREFIX] prefix"): suffix first, then prefix.
  codestral: {
    sentinels: ["[SUFFIX]", "[PREFIX]", "[MIDDLE]"],
    build: (prefix, suffix) => `[SUFFIX]${suffix}[PREFIX]${prefix}`,
    stop: ["[PREFIX]", "[SUFFIX]", "[MIDDLE]", "</s>"],
  },
  // Meta's Code Llama model card (llama.com, "Infilling", prefix-suffix-middle):
  // "<s><PRE>{{ code_prefix }}<SUF>{{ code_suffix }}<MID>"; the model ends the middle with <EOT>.
  codellama: {
    sentinels: ["<PRE>", "<SUF>", "<MID>", "<EOT>"],
    build: (prefix, suffix) => `<PRE>${prefix}<SUF>${suffix}<MID>`,
    stop: ["<EOT>", "<PRE>", "<SUF>", "<MID>"],
  },
  // Google's CodeGemma prompt structure (ai.google.dev/gemma/docs/codegemma/prompt-structure):
  // "<|fim_prefix|>prefix<|fim_suffix|>suffix<|fim_middle|>", no extra whitespace; the model
  // may continue past the middle with <|file_separator|>.
  codegemma: {
    sentinels: ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_separator|>"],
    build: (prefix, suffix) => `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
    stop: ["<|file_separator|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<eos>"],
  },
  // Qwen2.5-Coder's README (QwenLM, "fill in the middle"):
  // "<|fim_prefix|>{prefix_code}<|fim_suffix|>{suffix_code}<|fim_middle|>"; its FIM special
  // tokens and <|endoftext|> end generation.
  qwen: {
    sentinels: [
      "<|fim_prefix|>",
      "<|fim_suffix|>",
      "<|fim_middle|>",
      "<|fim_pad|>",
      "<|repo_name|>",
      "<|file_sep|>",
      "<|endoftext|>",
    ],
    build: (prefix, suffix) => `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
    stop: [
      "<|endoftext|>",
      "<|fim_prefix|>",
      "<|fim_suffix|>",
      "<|fim_middle|>",
      "<|fim_pad|>",
      "<|repo_name|>",
      "<|file_sep|>",
    ],
  },
  // BigCode's StarCoder/StarCoder2 model cards (fill-in-the-middle):
  // "<fim_prefix>prefix<fim_suffix>suffix<fim_middle>"; <|endoftext|> ends a file.
  starcoder: {
    sentinels: [
      "<fim_prefix>",
      "<fim_suffix>",
      "<fim_middle>",
      "<fim_pad>",
      "<file_sep>",
      "<|endoftext|>",
    ],
    build: (prefix, suffix) => `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`,
    stop: ["<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<file_sep>"],
  },
};

function withoutSentinels(text: string, sentinels: readonly string[]): string {
  let cleaned = text;
  let previous: string;
  // Until none is left: removing one can join the halves of another ("<PR<PRE>E>").
  do {
    previous = cleaned;
    for (const sentinel of sentinels) cleaned = cleaned.replaceAll(sentinel, "");
  } while (cleaned !== previous);
  return cleaned;
}

/**
 * The prompt for the text before (`prefix`) and after (`suffix`) the cursor. The user's
 * text loses the format's sentinel tokens first: a file that contains `<fim_middle>` would
 * otherwise move the cursor, or end the prompt where its author chose.
 */
export function buildPrompt(format: PromptFormat, prefix: string, suffix: string): Prompt {
  if (format === "suffix") return { prompt: prefix, suffix, stop: [] };
  const template = TEMPLATES[format];
  return {
    prompt: template.build(
      withoutSentinels(prefix, template.sentinels),
      withoutSentinels(suffix, template.sentinels),
    ),
    stop: template.stop,
  };
}
