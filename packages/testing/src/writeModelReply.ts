import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "./sendJson.js";
import { writeAnthropicMessage } from "./writeAnthropicMessage.js";
import { writeEvents } from "./writeEvents.js";

/**
 * The wire APIs the Copilot runtime speaks: OpenAI's Responses and Chat Completions (`type: "openai"` and
 * `"azure"`), and Anthropic's Messages (`type: "anthropic"`, Claude on Azure AI Foundry).
 */
export type WireApi = "responses" | "completions" | "messages";

export interface ModelReply {
  readonly wireApi: WireApi;
  readonly model: string;
  readonly text: string;
  readonly stream: boolean;
  readonly inputTokens: number;
  /** Chat completions: send a usage chunk before `[DONE]` (`stream_options.include_usage`). */
  readonly includeUsage?: boolean;
}

/** A rough token count: one per four characters, at least one. */
export const countTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Writes an assistant reply in the wire API's own shape, as one JSON body or as server-sent events. */
export function writeModelReply(res: ServerResponse, reply: ModelReply): void {
  if (reply.wireApi === "completions") writeChatCompletion(res, reply);
  else if (reply.wireApi === "messages")
    writeAnthropicMessage(res, { ...reply, outputTokens: countTokens(reply.text) });
  else writeResponse(res, reply);
}

const id = (prefix: string) => `${prefix}${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);
/** Streamed text arrives word by word. */
const piecesOf = (text: string) => text.match(/\S+\s*|\s+/g) ?? [""];

function writeChatCompletion(
  res: ServerResponse,
  { model, text, stream, inputTokens, includeUsage }: ModelReply,
) {
  const base = { id: id("chatcmpl-"), created: now(), model };
  const outputTokens = countTokens(text);
  const usage = {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
  };
  if (!stream) {
    const message = { role: "assistant", content: text, refusal: null };
    const choices = [{ index: 0, message, finish_reason: "stop", logprobs: null }];
    sendJson(res, 200, { ...base, object: "chat.completion", choices, usage });
    return;
  }
  const chunk = (choices: unknown[], more: object = {}) => ({
    ...base,
    object: "chat.completion.chunk",
    choices,
    ...more,
  });
  const choice = (delta: object, finish: string | null = null) => [
    { index: 0, delta, finish_reason: finish, logprobs: null },
  ];
  const chunks = [
    chunk(choice({ role: "assistant", content: "" })),
    ...piecesOf(text).map((content) => chunk(choice({ content }))),
    chunk(choice({}, "stop")),
    ...(includeUsage ? [chunk([], { usage })] : []),
  ];
  writeEvents(res, [...chunks.map((data) => ({ data })), { data: "[DONE]" }]);
}

function writeResponse(res: ServerResponse, { model, text, stream, inputTokens }: ModelReply) {
  const itemId = id("msg_");
  const part = { type: "output_text", text, annotations: [] };
  const item = { id: itemId, type: "message", status: "completed", role: "assistant", content: [part] };
  const outputTokens = countTokens(text);
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
  const base = {
    id: id("resp_"),
    object: "response",
    created_at: now(),
    error: null,
    incomplete_details: null,
    model,
  };
  const completed = { ...base, status: "completed", output: [item], usage };
  if (!stream) {
    sendJson(res, 200, completed);
    return;
  }
  const inProgress = { ...base, status: "in_progress", output: [], usage: null };
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const events: Array<{ readonly type: string; readonly [field: string]: unknown }> = [
    { type: "response.created", response: inProgress },
    { type: "response.in_progress", response: inProgress },
    {
      type: "response.output_item.added",
      output_index: 0,
      item: { ...item, status: "in_progress", content: [] },
    },
    { type: "response.content_part.added", ...at, part: { ...part, text: "" } },
    ...piecesOf(text).map((delta) => ({ type: "response.output_text.delta", ...at, delta, logprobs: [] })),
    { type: "response.output_text.done", ...at, text, logprobs: [] },
    { type: "response.content_part.done", ...at, part },
    { type: "response.output_item.done", output_index: 0, item },
    { type: "response.completed", response: completed },
  ];
  writeEvents(
    res,
    events.map((e, sequence_number) => ({ event: e.type, data: { ...e, sequence_number } })),
  );
}
