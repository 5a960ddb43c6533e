import { type Static, Type } from "typebox";

/** What the instance accepts per side of the cursor; what it forwards is trimmed to less. */
export const MAX_SIDE_CHARACTERS = 400_000;
/** The gateway's limit per side: the text nearest the cursor is kept. */
export const FORWARDED_SIDE_CHARACTERS = 100_000;
const MAX_NAME = 255;

const Short = (maxLength = MAX_NAME) => Type.String({ maxLength });

/**
 * The completion request as the language server sends it (and GitLab's API documents it).
 * Fields the gateway does not know are accepted and not forwarded.
 */
export const CompletionRequest = Type.Object({
  current_file: Type.Object({
    file_name: Short(),
    content_above_cursor: Type.String({ maxLength: MAX_SIDE_CHARACTERS }),
    content_below_cursor: Type.Optional(Type.String({ maxLength: MAX_SIDE_CHARACTERS })),
    language_identifier: Type.Optional(Short()),
  }),
  project_path: Type.Optional(Short()),
  project_id: Type.Optional(Type.Integer({ minimum: -1, maximum: 2 ** 31 - 1 })),
  prompt_version: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  intent: Type.Optional(Type.Union([Type.Literal("completion"), Type.Literal("generation")])),
  stream: Type.Optional(Type.Boolean()),
  choices_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  generation_type: Type.Optional(Short(64)),
  user_instruction: Type.Optional(Type.String({ maxLength: 10_000 })),
  context: Type.Optional(
    Type.Array(
      Type.Object({
        type: Short(64),
        name: Short(),
        content: Type.String({ maxLength: FORWARDED_SIDE_CHARACTERS }),
      }),
      { maxItems: 100 },
    ),
  ),
  model_provider: Type.Optional(Short(64)),
  model_name: Type.Optional(Short()),
  telemetry: Type.Optional(
    Type.Array(
      Type.Record(
        Type.String({ maxLength: 64 }),
        Type.Union([Short(), Type.Number(), Type.Boolean(), Type.Null()]),
      ),
      { maxItems: 20 },
    ),
  ),
});

export type CompletionRequest = Static<typeof CompletionRequest>;

/** The last `count` characters (code points: a surrogate pair is never cut in two). */
export function lastCharacters(text: string, count: number): string {
  if (text.length <= count) return text;
  let start = text.length;
  for (let taken = 0; taken < count && start > 0; taken += 1) {
    const low = text.charCodeAt(start - 1);
    start -= low >= 0xdc00 && low <= 0xdfff && start >= 2 ? 2 : 1;
  }
  return text.slice(start);
}

/** The first `count` characters (code points). */
export function firstCharacters(text: string, count: number): string {
  if (text.length <= count) return text;
  let end = 0;
  for (let taken = 0; taken < count && end < text.length; taken += 1) {
    const high = text.charCodeAt(end);
    end += high >= 0xd800 && high <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, end);
}

/** What the gateway receives: the known fields only, each side trimmed to its limit. */
export function forwardedBody(request: CompletionRequest): CompletionRequest {
  const { current_file: file } = request;
  return {
    ...pick(request),
    current_file: {
      file_name: file.file_name,
      content_above_cursor: lastCharacters(file.content_above_cursor, FORWARDED_SIDE_CHARACTERS),
      content_below_cursor: firstCharacters(
        file.content_below_cursor ?? "",
        FORWARDED_SIDE_CHARACTERS,
      ),
      ...(file.language_identifier === undefined
        ? {}
        : { language_identifier: file.language_identifier }),
    },
  };
}

const FORWARDED_FIELDS = [
  "project_path",
  "project_id",
  "prompt_version",
  "intent",
  "stream",
  "choices_count",
  "generation_type",
  "user_instruction",
  "context",
  "model_provider",
  "model_name",
  "telemetry",
] as const satisfies readonly Exclude<keyof CompletionRequest, "current_file">[];

function pick(request: CompletionRequest): Omit<CompletionRequest, "current_file"> {
  const picked: Record<string, unknown> = {};
  for (const field of FORWARDED_FIELDS) {
    if (request[field] !== undefined) picked[field] = request[field];
  }
  return picked as Omit<CompletionRequest, "current_file">;
}
