/**
 * What the completion rows send and what counts as a completion: one editor's request (a
 * file of ~2,000 characters above the cursor, a few lines below), straight to the model
 * stand-in as the gateway would send it (D), or in GitLab's body to the gateway (G) and to
 * self-managed (I); each answer checked whole against the stand-in's completion.
 */
import type { CompletionRequest } from "./completion-load.ts";

/** The stand-in's completion: 160 characters, hence 20 chunks of 8. */
export const COMPLETION =
  '  if (b === undefined) return a;\n  const total = a + b;\n  if (total > MAX) throw new RangeError("over MAX");\n  log.debug({ total }, "added!!");\n  return total;\n';
export const CHUNKS = 20;

const PREFIX = `${Array.from(
  { length: 36 },
  (_, i) => `export function scale${i}(a, b) {\n  return a * ${i} + b;\n}\n`,
).join("\n")}\nexport function add(a, b) {\n`;
const SUFFIX = "}\n\nexport function subtract(a, b) {\n  return a - b;\n}\n";
const MODEL_NAME = "stand-in";

/** What the gateway asks the model for a completion (prompt format `suffix`). */
function modelBody(stream: boolean): string {
  return JSON.stringify({
    model: MODEL_NAME,
    prompt: PREFIX,
    suffix: SUFFIX,
    max_tokens: 128,
    temperature: 0.1,
    stream,
  });
}

/** A completion request as GitLab's language server sends it. */
function editorBody(stream: boolean): string {
  return JSON.stringify({
    current_file: {
      file_name: "src/arithmetic.js",
      content_above_cursor: PREFIX,
      content_below_cursor: SUFFIX,
      language_identifier: "javascript",
    },
    project_path: "group/project",
    prompt_version: 1,
    stream,
    choices_count: 1,
  });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON answer (the model's or GitLab's, same shape) whose first choice is the completion. */
function isJsonCompletion(body: string): boolean {
  const answer = parsed(body) as { choices?: { text?: unknown }[] } | undefined;
  return answer?.choices?.[0]?.text === COMPLETION;
}

/** The model's server-sent events: the completion's chunks in `data:` lines, then `[DONE]`. */
function isModelStream(body: string): boolean {
  const data = body
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => line.slice(6));
  if (data.at(-1) !== "[DONE]") return false;
  const text = data
    .slice(0, -1)
    .map((event) => parsed(event) as { choices?: { text?: string }[] } | undefined)
    .map((event) => event?.choices?.[0]?.text ?? "")
    .join("");
  return text === COMPLETION;
}

export function modelRequest(stream: boolean): CompletionRequest {
  return {
    path: "/v1/completions",
    headers: () => ({}),
    body: modelBody(stream),
    complete: stream ? isModelStream : isJsonCompletion,
  };
}

/** GitLab's v2 format: JSON, or (streamed) the completion's raw text chunks. */
export function editorRequest(
  path: string,
  stream: boolean,
  headers: (n: number) => Record<string, string>,
): CompletionRequest {
  return {
    path,
    headers,
    body: editorBody(stream),
    complete: stream ? (body) => body === COMPLETION : isJsonCompletion,
  };
}
