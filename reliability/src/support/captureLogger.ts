import { inspect } from "node:util";
import type { LogDetails, Logger } from "@copilot-byok/core";

export interface LogEvent {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly details: LogDetails | undefined;
}

/** A logger that keeps every event and renders them all (details deeply, errors included) as one text. */
export function createCaptureLogger(): Logger & { readonly events: LogEvent[]; text(): string } {
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
    text: () =>
      events
        .map((e) => `${e.level} ${e.message} ${inspect(e.details, { depth: 20 })} ${safeJson(e.details)}`)
        .join("\n"),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** A logger writing to every one of `loggers`. */
export function teeLogger(...loggers: Logger[]): Logger {
  return {
    debug: (message, details) => {
      for (const l of loggers) l.debug(message, details);
    },
    info: (message, details) => {
      for (const l of loggers) l.info(message, details);
    },
    warn: (message, details) => {
      for (const l of loggers) l.warn(message, details);
    },
    error: (message, details) => {
      for (const l of loggers) l.error(message, details);
    },
  };
}
