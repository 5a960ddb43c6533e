import { type Static, Type } from "typebox";

/** The contract's limits (GitLab's gateway): what the model may be sent at most. */
const MAX_SIDE = 100_000;
const MAX_NAME = 255;
const MAX_CONTEXT_ITEMS = 100;

const CurrentFile = Type.Object({
  file_name: Type.String({ maxLength: MAX_NAME }),
  content_above_cursor: Type.String({ maxLength: MAX_SIDE }),
  content_below_cursor: Type.String({ maxLength: MAX_SIDE }),
  language_identifier: Type.Optional(
    Type.Union([Type.String({ maxLength: MAX_NAME }), Type.Null()]),
  ),
});

const ContextItem = Type.Object({
  type: Type.String({ maxLength: MAX_NAME }),
  name: Type.String({ maxLength: MAX_NAME }),
  content: Type.String({ maxLength: MAX_SIDE }),
});

/**
 * `POST /v2/code/completions` (and `/v2/completions`, `/v4/code/suggestions`), as GitLab's
 * clients send it. Fields GitLab knows and this gateway does not use are accepted and
 * ignored — `model_endpoint` and `model_api_key` among them: which model answers is the
 * gateway's configuration, never the client's.
 */
export const CompletionRequestBody = Type.Object({
  current_file: CurrentFile,
  project_path: Type.Optional(Type.Union([Type.String({ maxLength: MAX_NAME }), Type.Null()])),
  // The language server sends -1 when the file is in no GitLab project.
  project_id: Type.Optional(
    Type.Union([Type.Integer({ minimum: -1, maximum: 2 ** 53 - 1 }), Type.Null()]),
  ),
  prompt_version: Type.Optional(Type.Literal(1)),
  stream: Type.Optional(Type.Boolean()),
  choices_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  context: Type.Optional(Type.Array(ContextItem, { maxItems: MAX_CONTEXT_ITEMS })),
  model_provider: Type.Optional(Type.Union([Type.String({ maxLength: MAX_NAME }), Type.Null()])),
  model_name: Type.Optional(Type.Union([Type.String({ maxLength: MAX_NAME }), Type.Null()])),
  telemetry: Type.Optional(Type.Array(Type.Object({}), { maxItems: MAX_CONTEXT_ITEMS })),
  intent: Type.Optional(
    Type.Union([Type.Literal("completion"), Type.Literal("generation"), Type.Null()]),
  ),
});
export type CompletionRequestBody = Static<typeof CompletionRequestBody>;

export const CompletionAnswer = Type.Object({
  id: Type.String(),
  model: Type.Object({ engine: Type.String(), name: Type.String(), lang: Type.String() }),
  experiments: Type.Array(Type.Object({})),
  object: Type.Literal("text_completion"),
  created: Type.Integer(),
  choices: Type.Array(
    Type.Object({ text: Type.String(), index: Type.Integer(), finish_reason: Type.String() }),
  ),
});

export const DetailBody = Type.Object({ detail: Type.String() });
export const ErrorBody = Type.Object({ error: Type.String() });
export const ValidationBody = Type.Object({
  detail: Type.Array(
    Type.Object({
      type: Type.String(),
      loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
      msg: Type.String(),
      ctx: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  ),
});
