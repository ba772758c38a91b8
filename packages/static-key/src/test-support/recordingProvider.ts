import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The credential headers of one request the runtime made. */
export interface RecordedRequest {
  readonly path: string;
  readonly authorization?: string;
  readonly apiKey?: string;
  readonly xApiKey?: string;
}

/**
 * A minimal model provider on 127.0.0.1 that answers OpenAI Responses, Chat Completions and Anthropic
 * Messages (streamed or not) with "ok", and records the credential headers of each request.
 */
export async function startRecordingProvider(): Promise<{
  readonly origin: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push(record(req));
      let body: { model?: string; stream?: boolean } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // not JSON: answer anyway
      }
      answer(req.url ?? "", body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function record(req: IncomingMessage): RecordedRequest {
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === "string" ? v : undefined;
  };
  const authorization = header("authorization");
  const apiKey = header("api-key");
  const xApiKey = header("x-api-key");
  return {
    path: (req.url ?? "").split("?")[0] ?? "",
    ...(authorization !== undefined ? { authorization } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(xApiKey !== undefined ? { xApiKey } : {}),
  };
}

function answer(url: string, body: { model?: string; stream?: boolean }, res: ServerResponse): void {
  const model = body.model ?? "test-model";
  if (url.includes("/messages")) {
    if (body.stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const event = (type: string, data: object) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      event("message_start", {
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          content: [],
          model,
          stop_reason: null,
          usage: { input_tokens: 1, output_tokens: 0 },
        },
      });
      event("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } });
      event("content_block_stop", { index: 0 });
      event("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 1 } });
      event("message_stop", {});
      res.end();
      return;
    }
    json(res, {
      id: "msg_1",
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "ok" }],
      model,
      stop_reason: "end_turn",
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    return;
  }
  if (url.includes("/responses")) {
    json(res, {
      id: "resp_1",
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status: "completed",
      model,
      output: [
        {
          id: "msg_1",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: "ok", annotations: [] }],
        },
      ],
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    });
    return;
  }
  json(res, {
    id: "chatcmpl_1",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

function json(res: ServerResponse, body: object): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
