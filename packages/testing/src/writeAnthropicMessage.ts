import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "./sendJson.js";
import { writeEvents } from "./writeEvents.js";

/** An assistant reply in Anthropic's Messages API shape (Claude on Azure AI Foundry). */
export interface AnthropicMessageReply {
  readonly model: string;
  readonly text: string;
  /** `true`: the Messages streaming events; `false`: one Message object. */
  readonly stream: boolean;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Streamed text arrives word by word. */
const piecesOf = (text: string) => text.match(/\S+\s*|\s+/g) ?? [""];

/**
 * Writes a Messages API reply: `{ id, type: "message", role: "assistant", content: [{ type: "text", text }],
 * model, stop_reason: "end_turn", usage }`, or the streaming events the Anthropic SDK reads (`message_start`,
 * `content_block_start`, `ping`, `content_block_delta`…, `content_block_stop`, `message_delta`, `message_stop`).
 */
export function writeAnthropicMessage(res: ServerResponse, reply: AnthropicMessageReply): void {
  const { model, text, stream, inputTokens, outputTokens } = reply;
  const base = {
    id: `msg_${randomBytes(12).toString("hex")}`,
    type: "message",
    role: "assistant",
    model,
    stop_sequence: null,
  };
  if (!stream) {
    sendJson(res, 200, {
      ...base,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    });
    return;
  }
  const events: Array<{ readonly type: string; readonly [field: string]: unknown }> = [
    {
      type: "message_start",
      message: {
        ...base,
        content: [],
        stop_reason: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "ping" },
    ...piecesOf(text).map((piece) => ({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: piece },
    })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
    { type: "message_stop" },
  ];
  writeEvents(
    res,
    events.map((data) => ({ event: data.type, data })),
  );
}
