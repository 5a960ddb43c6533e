import { BrokerError } from "@token-broker/errors";

/** A completion longer than this is no completion: the answer is refused (502). */
export const MAX_COMPLETION_CHARACTERS = 100_000;

/** A closed-set word from a model server's error body, for the log (never its message). */
const ERROR_WORD = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What a model server's error body says about itself, safe to log: vLLM's
 * `{"object":"error","message","type","code"}`, Ollama's and OpenAI's
 * `{"error":{"message","type"}}`. The message is never kept: it may quote the prompt.
 */
export function modelErrorKind(body: unknown): string | undefined {
  const error =
    typeof body === "object" && body !== null && "error" in body && typeof body.error === "object"
      ? (body.error as Record<string, unknown>)
      : (body as Record<string, unknown> | null);
  const type = error?.type ?? error?.code;
  return typeof type === "string" && ERROR_WORD.test(type) ? type : undefined;
}

function invalid(reason: string): BrokerError {
  return new BrokerError("model_invalid_answer", "model answer refused", {
    cause: new Error(reason),
  });
}

/** A model answer's (or a streamed event's) JSON; anything else is refused. */
export function parseModelJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid("not JSON");
  }
}

/**
 * The first choice's text of an OpenAI `text_completion` (a whole answer or a streamed
 * chunk); anything else is refused. The reason names the shape only, never the content.
 */
export function completionText(answer: unknown): string {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) throw invalid("no choices");
  if (choices.length === 0) return "";
  const text = (choices[0] as { text?: unknown } | null)?.text;
  if (typeof text !== "string") throw invalid("a choice without text");
  if (text.length > MAX_COMPLETION_CHARACTERS) throw invalid("a completion too long");
  return text;
}

export { invalid as invalidModelAnswer };
