import type { ServerResponse } from "node:http";

/** One server-sent event: `event: <name>` (when given) and `data: <JSON, or the string as is>`. */
export interface ServerSentEvent {
  readonly event?: string;
  readonly data: unknown;
}

/** Answers 200 with `events` as a `text/event-stream` body, then ends it. */
export function writeEvents(res: ServerResponse, events: readonly ServerSentEvent[]): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  for (const { event, data } of events) {
    const payload = typeof data === "string" ? data : JSON.stringify(data);
    res.write(`${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`);
  }
  res.end();
}
