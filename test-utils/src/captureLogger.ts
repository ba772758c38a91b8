import { inspect } from "node:util";
import type { LogDetails, Logger } from "@copilot-byok/core";

/** One call of a {@link createCaptureLogger} logger. */
export interface LogEvent {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly details: LogDetails | undefined;
}

/**
 * A logger that keeps every event, and renders them all as one text: details deeply (`util.inspect`, errors
 * included) and as JSON, the ways a secret could leak through a log line.
 */
export function createCaptureLogger(): Logger & {
  readonly events: LogEvent[];
  text(): string;
  /** The messages logged, of one level or of all. */
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
    text: () =>
      events
        .map((e) => `${e.level} ${e.message} ${inspect(e.details, { depth: 20 })} ${safeJson(e.details)}`)
        .join("\n"),
    messages: (level) => events.filter((e) => level === undefined || e.level === level).map((e) => e.message),
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
