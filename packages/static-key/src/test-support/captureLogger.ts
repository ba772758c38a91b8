import { inspect } from "node:util";
import type { LogDetails, Logger } from "@copilot-byok/core";

export interface LogEvent {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly details: LogDetails | undefined;
}

/** A logger that keeps every event, and renders them all (details deeply, errors included) as one text. */
export function createCaptureLogger(): Logger & {
  readonly events: LogEvent[];
  text(): string;
  messages(level?: LogEvent["level"]): string[];
} {
  const events: LogEvent[] = [];
  const push = (level: LogEvent["level"]) => (message: string, details?: LogDetails) => {
    events.push({ level, message, details });
  };
  return {
    events,
    debug: push("debug"),
    info: push("info"),
    warn: push("warn"),
    error: push("error"),
    text: () => events.map((e) => `${e.level} ${e.message} ${inspect(e.details, { depth: 10 })}`).join("\n"),
    messages: (level) => events.filter((e) => level === undefined || e.level === level).map((e) => e.message),
  };
}
